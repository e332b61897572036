// Entry point of one scenario run in its own process, so that its CPU time and peak RSS are its own
// (not the producer's, nor the previous scenario's heap). Input: BENCH_SCENARIO (JSON); output: IPC.
import { runClientCeiling } from './client-ceiling.ts';
import { runDatabaseCeiling } from './database-ceiling.ts';
import { runNaiveProcessor } from './naive-processor.ts';
import { runRebuild } from './rebuild-scenario.ts';
import { runRuntimeProcessor, serveRuntimeProcessor } from './runtime-processor.ts';
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

const run = (): Promise<ScenarioSample> => {
  switch (input.scenario) {
    case 'A':
      return runClientCeiling(input);
    case 'B':
      return runDatabaseCeiling(input);
    case 'C':
      return runNaiveProcessor(input);
    case 'D':
      return runRuntimeProcessor(input);
    case 'E':
      return runRebuild(input);
    case 'serve':
      return serveRuntimeProcessor(input, () => void send({ kind: 'ready' }), stopRequested);
  }
};

try {
  await send({ kind: 'result', sample: await run() });
  process.exit(0);
} catch (error) {
  await send({ kind: 'error', message: (error as Error).stack ?? String(error) });
  process.exit(1);
}
