// A service for run-service.unit.test.ts: FIXTURE_CONFIG=bad fails its configuration; otherwise it
// starts, prints "started", and on stop prints "stopped" (after FIXTURE_STOP_MS). Synchronous
// writes: process.exit does not wait for a pipe to drain.
import { writeSync } from 'node:fs';
import { pino } from 'pino';
import { ConfigError, runService } from '../src/index.ts';

await runService({
  name: 'fixture',
  loadConfig: () => {
    if (process.env.FIXTURE_CONFIG === 'bad') throw new ConfigError(['A: is required but not set', 'B: bad']);
    return { stopMs: Number(process.env.FIXTURE_STOP_MS ?? 0) };
  },
  configHelp: 'See the fixture for every variable.',
  logger: () => pino({ level: 'silent' }),
  shutdownTimeoutMs: () => 1_000,
  start: async (config) => {
    const alive = setInterval(() => {}, 60_000); // what a server's socket does: keep the process up
    writeSync(1, 'started\n');
    return {
      stop: async () => {
        await new Promise((resolve) => setTimeout(resolve, config.stopMs));
        clearInterval(alive);
        writeSync(1, 'stopped\n');
      },
    };
  },
});
