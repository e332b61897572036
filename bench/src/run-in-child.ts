import { type ChildProcess, fork } from 'node:child_process';
import type { ChildMessage, ScenarioInput, ScenarioSample } from './scenario.ts';

const entry = new URL('./scenario-child.ts', import.meta.url);
/** The same entry compiled (compile-workspace), run with the `compiled` condition: no type stripping. */
const compiledEntry = new URL('../dist/scenario-child.js', import.meta.url);

export interface ChildRun {
  child: ChildProcess;
  /** Resolves when the child says it is ready (serve mode). */
  ready: Promise<void>;
  result: Promise<ScenarioSample>;
  stop(): void;
}

/**
 * Runs one scenario in a fresh Node process. Its stdout (e.g. the runtime's logs) goes to our stderr,
 * so `--json` keeps stdout clean. `execArgv` passes e.g. `--cpu-prof` for profiling or heap limits,
 * `env` settings on top of ours (e.g. a memory budget's fetch sizes); `compiled` runs bench/dist.
 */
export function runInChild(
  input: ScenarioInput,
  execArgv: string[] = [],
  env: Record<string, string> = {},
  compiled = false,
): ChildRun {
  const child = fork(compiled ? compiledEntry : entry, [], {
    env: {
      KAFKAJS_NO_PARTITIONER_WARNING: '1',
      ...process.env,
      ...env,
      BENCH_SCENARIO: JSON.stringify(input),
    },
    execArgv: compiled ? ['--conditions=compiled', ...execArgv] : execArgv,
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  child.stdout?.pipe(process.stderr, { end: false });
  let readyResolve = () => {};
  const ready = new Promise<void>((resolve) => {
    readyResolve = resolve;
  });
  const result = new Promise<ScenarioSample>((resolve, reject) => {
    let settled = false;
    child.on('message', (message: ChildMessage) => {
      if (message.kind === 'ready') readyResolve();
      else if (message.kind === 'result') {
        settled = true;
        resolve(message.sample);
      } else {
        settled = true;
        reject(new Error(`scenario ${input.scenario} failed in its process:\n${message.message}`));
      }
    });
    child.on('exit', (code, signal) => {
      if (!settled)
        reject(new Error(`scenario ${input.scenario} process exited (${code ?? signal}) without a result`));
    });
  });
  // A failed start in serve mode must not leave `ready` waiting for ever.
  result.catch(() => {}).finally(readyResolve);
  return { child, ready, result, stop: () => child.send('stop') };
}
