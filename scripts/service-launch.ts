// How ./fleetw start (and bench/src/fleet-memory.ts) starts a service or the console: from JavaScript
// compiled ahead of time (no type stripping at run time: it keeps Node's TypeScript compiler, ≈ 15 MB,
// in every process), a service with the V8 heap limits of one memory budget (PROCESSOR_MEMORY_BUDGET_MB).
import { spawnSync } from 'node:child_process';
import { memoryBudget } from '../packages/processor/src/memory-budget.ts';
import { compiledNodeFlags, compiledPathOf } from '../packages/service-kit/src/compile/compiled-entry.ts';

/**
 * The demo's budget per service (MB of RSS): what bench/results/fleet-memory-demo.md measured at
 * 50 orders/s within it. PROCESSOR_MEMORY_BUDGET_MB overrides it.
 */
export const DEMO_MEMORY_BUDGET_MB = 160;

export interface LaunchOptions {
  /** Run `dist/main.js` with the `compiled` export condition; false: `src/main.ts` with type stripping. */
  compiled: boolean;
  /** Heap limits from this budget (`memoryBudget`); unset: V8's defaults. */
  budgetMb?: number | undefined;
}

/**
 * The node arguments that start a workspace module, given as its source (`<package>/src/<path>.ts`):
 * compiled, its `dist/` twin with the `compiled` condition, as the manifests' commands do.
 */
export function moduleArgs(source: string, options: LaunchOptions): string[] {
  const heap = options.budgetMb === undefined ? [] : memoryBudget(options.budgetMb).nodeFlags;
  return options.compiled ? [...heap, ...compiledNodeFlags, compiledPathOf(source)] : [...heap, source];
}

/** The node arguments that start `services/<name>`'s main. */
export const serviceArgs = (name: string, options: LaunchOptions): string[] =>
  moduleArgs(`services/${name}/src/main.ts`, options);

/** The console's main (`console/src/main.ts`, the workspace root's package). */
export const consoleMain = 'console/src/main.ts';

/**
 * The node arguments that start the console. No heap flags: PROCESSOR_MEMORY_BUDGET_MB is sized for
 * the services (bench/results/fleet-memory-demo.md), so the console keeps V8's defaults as before.
 */
export const consoleArgs = (options: Pick<LaunchOptions, 'compiled'>): string[] =>
  moduleArgs(consoleMain, { compiled: options.compiled });

/** The budget in force: PROCESSOR_MEMORY_BUDGET_MB when set (`serviceArgs` refuses a bad one), else the demo's. */
export function budgetFrom(env: NodeJS.ProcessEnv): number {
  return env.PROCESSOR_MEMORY_BUDGET_MB ? Number(env.PROCESSOR_MEMORY_BUDGET_MB) : DEMO_MEMORY_BUDGET_MB;
}

/** Compiles every package, service and the console to `dist/` (≈ 2 s); false when it failed (printed). */
export function compileWorkspace(): boolean {
  return (
    spawnSync(
      process.execPath,
      ['--disable-warning=ExperimentalWarning', 'packages/service-kit/src/bin/compile-workspace.ts'],
      { stdio: 'inherit' },
    ).status === 0
  );
}
