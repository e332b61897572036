import { expect, it } from 'vitest';
import { renderFuzzSummary } from './fuzz-summary.ts';
import { runFuzz } from './run-fuzz.ts';

// The short budget of `pnpm fuzz`: one generated input on the real broker, registry and PostgreSQL,
// a new seed every run (printed; FUZZ_SEED=n replays one). Without shrinking, so a failure reports fast.
it('applies every record exactly once or dead-letters it byte for byte, and settles', async () => {
  const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
  const summary = await runFuzz({ seed, records: 600, runs: 1, shrink: false, settleTimeoutMs: 90_000 });
  console.error(renderFuzzSummary(summary));
  expect(summary.failure, `seed ${seed}`).toBeUndefined();
  expect(summary.passed).toBe(true);
  expect(summary.runs).toBe(1);
  expect(summary.unhandledRejections).toBe(0);
  // The mix really reached the DLQ and the projection (guards against a generator gone dull).
  expect(summary.outcomes.valid?.applied).toBeGreaterThan(100);
  expect(Object.keys(summary.reasons).length).toBeGreaterThanOrEqual(3);
}, 240_000);
