import { describe, expect, it } from 'vitest';
import { compiledCommand, compiledPathOf, compiledStartOf } from './compiled-entry.ts';

describe('the compiled form of a workspace module', () => {
  it('sits in dist/ beside src/, as compilePackage writes it', () => {
    expect(compiledPathOf('services/inventory/src/main.ts')).toBe('services/inventory/dist/main.js');
    expect(compiledPathOf('packages/contracts/src/bin/apply-topics.ts')).toBe(
      'packages/contracts/dist/bin/apply-topics.js',
    );
    expect(() => compiledPathOf('scripts/start.ts')).toThrow(/not a module under a package's src/);
  });

  it('starts with the compiled condition, and its command leads back to the source', () => {
    const command = compiledCommand('console/src/main.ts');
    expect(command).toEqual(['node', '--conditions=compiled', 'console/dist/main.js']);
    expect(compiledStartOf(command)).toEqual({ package: 'console', source: 'console/src/main.ts' });
  });

  it('recognises no other command', () => {
    for (const command of [
      ['node', 'services/inventory/src/main.ts'],
      ['node', 'services/inventory/dist/main.js'],
      ['node', '--conditions=compiled', 'services/inventory/src/main.ts'],
      ['pnpm', '--conditions=compiled', 'services/inventory/dist/main.js'],
      ['node', '--conditions=compiled', 'services/inventory/dist/main.js', '--help'],
    ])
      expect(compiledStartOf(command), command.join(' ')).toBeUndefined();
  });
});
