import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { workspacePackages } from './workspace-packages.ts';

describe('the packages compile-workspace compiles by default', () => {
  const root = mkdtempSync(join(tmpdir(), 'workspace-packages-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const add = (dir: string, withSrc = true) => {
    mkdirSync(join(root, dir, withSrc ? 'src' : ''), { recursive: true });
    writeFileSync(join(root, dir, 'package.json'), '{}');
  };

  it('every package and service with sources, and the console', () => {
    add('packages/contracts');
    add('services/inventory');
    add('console');
    add('packages/docs-only', false);
    mkdirSync(join(root, 'services', 'not-a-package', 'src'), { recursive: true });
    expect(workspacePackages(root)).toEqual(['packages/contracts', 'services/inventory', 'console']);
  });

  it('lists the real workspace: the services, the packages they run on, the console', () => {
    const real = workspacePackages(join(import.meta.dirname, '..', '..', '..', '..'));
    for (const dir of [
      'services/inventory',
      'packages/processor',
      'packages/contracts',
      'packages/cli',
      'console',
    ])
      expect(real).toContain(dir);
  });
});
