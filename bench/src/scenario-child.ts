// Entry point of one scenario run in its own process, so that its CPU time and peak RSS are its own
// (not the producer's, nor the previous scenario's heap). Input: BENCH_SCENARIO (JSON); output: IPC.
import type { ChildMessage, ScenarioInput, ScenarioSample } from './scenario.ts';

const send = (message: ChildMessage) =>
  new Promise<void>((resolve) => {
    if (process.send) process.send(message, () => resolve());
    else {
      process.stderr.write(`${JSON.stringify(message)}\n`);
      resolve();
    }
  });

const input = JSON.parse(process.env.BENCH_SCENARIO ?? 'null') as ScenarioInput | null;
if (!input) throw new Error('BENCH_SCENARIO (JSON) is required');

const stopRequested = new Promise<void>((resolve) => {
  process.on('message', (m: unknown) => {
    if (m === 'stop') resolve();
  });
});

// Each scenario's module is imported alone, so a process holds only its own scenario's code (its RSS
// would otherwise include every other scenario's client and libraries).
const run = async (): Promise<ScenarioSample> => {
  switch (input.scenario) {
    case 'A':
      return (await import('./client-ceiling.ts')).runClientCeiling(input);
    case 'A2':
      return (await import('./platformatic-ceiling.ts')).runPlatformaticCeiling(input);
    case 'B':
      return (await import('./database-ceiling.ts')).runDatabaseCeiling(input);
    case 'B2':
      return (await import('./upsert-only.ts')).runUpsertOnly(input);
    case 'C':
    case 'C2':
      return (await import('./naive-processor.ts')).runNaiveProcessor(input);
    case 'D':
      return (await import('./runtime-processor.ts')).runRuntimeProcessor(input);
    case 'E':
      return (await import('./rebuild-scenario.ts')).runRebuild(input);
    case 'serve':
      return (await import('./runtime-processor.ts')).serveRuntimeProcessor(
        input,
        () => void send({ kind: 'ready' }),
        stopRequested,
      );
  }
};

try {
  await send({ kind: 'result', sample: await run() });
  process.exit(0);
} catch (error) {
  await send({ kind: 'error', message: (error as Error).stack ?? String(error) });
  process.exit(1);
}
