import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliError } from './cli-error.ts';
import {
  declaredProcessors,
  loadProcessorDefinition,
  workspacePackageDirs,
  workspaceRoot,
} from './processor-definition.ts';

const fleet = ['inventory', 'order_lifecycle', 'order_view', 'payments', 'sales_analytics'];

/** A workspace of its own: pnpm-workspace.yaml and packages with the given files. */
function workspace(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'fleet-cli-ws-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}
const pkg = (name: string, fleetEntry: unknown) => JSON.stringify({ name, fleet: fleetEntry });

describe('processors discovered from the workspace’s packages', () => {
  it('finds every processor of the fleet through its package.json, payments’ factory included', async () => {
    const root = workspaceRoot();
    expect(root).toBeDefined();
    const declared = declaredProcessors(root as string);
    expect(declared.map((d) => d.name).sort()).toEqual(fleet);
    expect(declared.find((d) => d.name === 'payments')).toMatchObject({
      packageName: '@fleet/payments',
      exportName: 'paymentsFromEnv',
    });
    for (const name of fleet) {
      const definition = await loadProcessorDefinition(name, { env: {} });
      expect(definition.name).toBe(name);
      expect(definition.routes.length).toBeGreaterThan(0);
    }
    // As operators type them too: the folder's spelling.
    expect((await loadProcessorDefinition('order-view')).name).toBe('order_view');
  });

  it('reads plain entries and one-level globs of pnpm-workspace.yaml', () => {
    const root = workspace({
      'pnpm-workspace.yaml':
        "packages:\n  - 'svc/*'\n  - tools # a comment\n  - '!svc/skip'\nother:\n  - nope\n",
      'svc/a/package.json': '{}',
      'svc/b/package.json': '{}',
      'tools/package.json': '{}',
      'nope/package.json': '{}',
    });
    expect(workspacePackageDirs(root)).toEqual([
      join(root, 'svc/a'),
      join(root, 'svc/b'),
      join(root, 'tools'),
    ]);
  });

  it('calls a factory with the environment, and checks what it returns against the declared name', async () => {
    const root = workspace({
      'pnpm-workspace.yaml': 'packages:\n  - svc/*\n',
      'svc/a/package.json': pkg('a', { processor: { name: 'alpha', module: './p.mjs', export: 'fromEnv' } }),
      'svc/a/p.mjs':
        'export const fromEnv = (env) => { if (env.BROKEN) throw new Error("rules file " + env.BROKEN + " is invalid"); return { name: env.NAME ?? "alpha", routes: [] }; };',
    });
    expect((await loadProcessorDefinition('alpha', { root, env: {} })).name).toBe('alpha');
    const fails = (env: NodeJS.ProcessEnv) => loadProcessorDefinition('alpha', { root, env });
    await expect(fails({ NAME: 'beta' })).rejects.toThrow(
      /is processor beta, but the package.json declares alpha/,
    );
    await expect(fails({ BROKEN: 'x.json' })).rejects.toThrow(/failed: rules file x.json is invalid/);
    await expect(fails({ BROKEN: 'x.json' })).rejects.toMatchObject({ code: 'BAD_DEFINITION', exitCode: 2 });
  });

  it('says which processors are declared when the one asked for is not, and refuses a bad entry', async () => {
    const root = workspace({
      'pnpm-workspace.yaml': 'packages:\n  - svc/*\n',
      'svc/a/package.json': pkg('a', { processor: { name: 'alpha', module: './p.mjs', export: 'alpha' } }),
      'svc/a/p.mjs': 'export const alpha = { name: "alpha", routes: [] };',
      'svc/b/package.json': JSON.stringify({ name: 'b' }),
    });
    const unknown = await loadProcessorDefinition('gamma', { root }).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(CliError);
    expect(unknown).toMatchObject({ code: 'UNKNOWN_DEFINITION', exitCode: 2 });
    expect((unknown as Error).message).toContain('declared: alpha');
    expect((unknown as Error).message).toContain('--definition');

    writeFileSync(
      join(root, 'svc/b/package.json'),
      pkg('b', { processor: { name: 'Bad Name', module: './p.mjs' } }),
    );
    expect(() => declaredProcessors(root)).toThrow(/svc\/b\/package.json: its "fleet" entry must be/);
    expect(() => declaredProcessors(root)).toThrow(/fleet.processor.export/);

    writeFileSync(
      join(root, 'svc/b/package.json'),
      pkg('b', { processor: { name: 'alpha', module: './q.mjs', export: 'x' } }),
    );
    expect(() => declaredProcessors(root)).toThrow(/declared by two packages, a and b/);
  });
});
