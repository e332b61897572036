import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '@fleet/service-kit';
import { describe, expect, it } from 'vitest';
import { deploymentSettings } from './deployment-settings.ts';

const dir = mkdtempSync(join(tmpdir(), 'deployment-settings-'));
const packageJson = (name: string, text: string) => {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, text);
  return file;
};
const fleet = (block: unknown) => JSON.stringify({ name: '@fleet/x', fleet: block });

describe('deploymentSettings: the fleet block of a service package.json', () => {
  it('reads the default HTTP port next to the CLI entry, from a path or a file URL', () => {
    const file = packageJson('ok', fleet({ processor: { name: 'x' }, httpPort: 8102 }));
    expect(deploymentSettings(file)).toEqual({ httpPort: 8102 });
    expect(deploymentSettings(pathToFileURL(file))).toEqual({ httpPort: 8102 });
  });

  it('has no port when the package sets none', () => {
    expect(deploymentSettings(packageJson('none', JSON.stringify({ name: 'x' })))).toEqual({});
    expect(deploymentSettings(packageJson('no-port', fleet({ processor: {} })))).toEqual({});
  });

  it.each([
    ['a string', '"8102"'],
    ['zero', '0'],
    ['past 65535', '70000'],
    ['a fraction', '81.5'],
  ])('refuses a port that is %s, naming the file and the field', (_what, port) => {
    const file = packageJson(`bad-${port}`, `{ "fleet": { "httpPort": ${port} } }`);
    const error = catchError(() => deploymentSettings(file));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([expect.stringMatching(`^${file}: fleet.httpPort: `)]);
  });

  it('refuses a package.json it cannot read, naming it', () => {
    const broken = packageJson('broken', '{ "fleet": ');
    expect(catchError(() => deploymentSettings(broken))).toBeInstanceOf(ConfigError);
    expect(() => deploymentSettings(join(dir, 'missing.json'))).toThrow(/missing\.json.*no such file/);
  });
});

function catchError(work: () => unknown): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  throw new Error('no error thrown');
}
