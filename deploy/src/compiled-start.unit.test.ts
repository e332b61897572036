// The manifests start compiled JavaScript (`node --conditions=compiled <package>/dist/…js`), which no
// clean clone holds: compiled here as the image's build does, every command of the rendered manifests
// must load its whole module graph, and from JavaScript only: they run here with type stripping off,
// so a module resolved to a package's src/ (a missing `compiled` export condition) fails the start.
// With an empty environment a service stops at its configuration check (exit 78), after every static
// import resolved; a one-shot script prints its usage.
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { committedManifests, repoRoot } from './rendered-files.ts';

interface Container {
  name: string;
  command: string[];
}
const commands = committedManifests().flatMap(({ manifest }) => {
  const spec = (manifest as { spec?: { template?: { spec?: object } } }).spec?.template?.spec as
    | { containers: Container[]; initContainers?: Container[] }
    | undefined;
  return spec ? [...(spec.initContainers ?? []), ...spec.containers] : [];
});
/** The pre-rollout Job's steps: one-shot scripts; the other containers but Redis run the fleet's services. */
const oneShot = new Set(['check-compat', 'apply-topics']);
const services = commands.filter((c) => c.name !== 'redis' && !oneShot.has(c.name));
const scripts = commands.filter((c) => oneShot.has(c.name));
const run = (command: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, ['--no-experimental-strip-types', ...command.slice(1)], {
    cwd: repoRoot, // the image's WORKDIR: the commands' paths are relative to the workspace
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });

describe('the compiled commands of the manifests', () => {
  beforeAll(() => {
    // The Dockerfile's build step; it writes dist/ (gitignored) as ./fleetw start does.
    const compile = spawnSync(
      process.execPath,
      ['--disable-warning=ExperimentalWarning', 'packages/service-kit/src/bin/compile-workspace.ts'],
      { cwd: repoRoot, encoding: 'utf8' },
    );
    expect(compile.status, compile.stderr).toBe(0);
  }, 30_000);

  it('cover the six services, the console and both pre-rollout steps', () => {
    expect(commands.map((c) => c.name).sort()).toEqual(
      [
        'apply-topics',
        'check-compat',
        'console',
        'inventory',
        'order-intake',
        'order-lifecycle',
        'order-view',
        'payments',
        'redis',
        'sales-analytics',
      ].sort(),
    );
  });

  it.each(services.map((c) => [c.name, c] as const))(
    '%s: loads every module and stops at its configuration check (exit 78)',
    (_name, c) => {
      // The console has no required setting: a bad port stops it at the same point instead.
      const r = run(c.command, c.name === 'console' ? { FLEET_CONSOLE_PORT: 'not-a-port' } : {});
      expect(r.status, r.stderr).toBe(78);
    },
  );

  it.each(scripts.map((c) => [c.name, c] as const))(
    '%s: loads every module and prints its usage',
    (_name, c) => {
      const r = run([...c.command, '--help']);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/usage/i);
    },
  );
});
