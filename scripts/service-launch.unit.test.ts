import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compiledCommand } from '../packages/service-kit/src/compile/compiled-entry.ts';
import { workspacePackages } from '../packages/service-kit/src/compile/workspace-packages.ts';
import {
  budgetFrom,
  consoleArgs,
  consoleMain,
  DEMO_MEMORY_BUDGET_MB,
  serviceArgs,
} from './service-launch.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('how ./fleetw start starts a service', () => {
  it('runs the compiled main with the compiled condition and the budget’s heap limits', () => {
    expect(serviceArgs('inventory', { compiled: true, budgetMb: 160 })).toEqual([
      '--max-old-space-size=55',
      '--max-semi-space-size=2',
      '--conditions=compiled',
      'services/inventory/dist/main.js',
    ]);
  });

  it('runs the sources with V8’s defaults when asked for neither', () => {
    expect(serviceArgs('payments', { compiled: false })).toEqual(['services/payments/src/main.ts']);
  });

  it('runs the console compiled too, as its container does, with V8’s defaults', () => {
    expect(consoleArgs({ compiled: true })).toEqual(['--conditions=compiled', 'console/dist/main.js']);
    // The same arguments as the manifests' command (deploy/src/fleet-manifests.ts), without `node`.
    expect(['node', ...consoleArgs({ compiled: true })]).toEqual(compiledCommand(consoleMain));
    expect(consoleArgs({ compiled: false })).toEqual(['console/src/main.ts']);
    // start.ts passes the services' launch options; their budget is not the console's.
    const launch = { compiled: true, budgetMb: 160 };
    expect(consoleArgs(launch)).toEqual(consoleArgs({ compiled: true }));
    expect(existsSync(join(root, consoleMain)), consoleMain).toBe(true);
    expect(workspacePackages(root), 'compiled by compile-workspace').toContain('console');
  });

  it('takes the budget from PROCESSOR_MEMORY_BUDGET_MB, else the demo’s', () => {
    expect(budgetFrom({ PROCESSOR_MEMORY_BUDGET_MB: '256' })).toBe(256);
    expect(budgetFrom({ PROCESSOR_MEMORY_BUDGET_MB: '' })).toBe(DEMO_MEMORY_BUDGET_MB);
    expect(budgetFrom({})).toBe(DEMO_MEMORY_BUDGET_MB);
  });

  it('refuses a budget too small to hold a service, saying what it needs', () => {
    expect(() => serviceArgs('inventory', { compiled: true, budgetMb: 100 })).toThrow(/at least \d+ MB/);
    const typo = budgetFrom({ PROCESSOR_MEMORY_BUDGET_MB: '160MB' });
    expect(() => serviceArgs('inventory', { compiled: true, budgetMb: typo })).toThrow(/NaN MB .* at least/);
  });
});
