import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { BenchResult } from './bench-result.ts';
import { scenarioIds } from './scenario.ts';

const run = promisify(execFile);
const N = 500;

// The CLI as CI runs it (`pnpm bench -- --quick --json`), on tiny N: real broker, registry, Postgres.
describe('pnpm bench --quick --json', () => {
  it('measures every scenario on exactly N events and prints the result JSON', {
    timeout: 300_000,
  }, async () => {
    const { stdout } = await run(
      process.execPath,
      [
        fileURLToPath(new URL('./main.ts', import.meta.url)),
        '--',
        '--quick',
        '--json',
        '--events',
        String(N),
        '--latency-rate',
        '200',
        '--latency-seconds',
        '2',
      ],
      { maxBuffer: 10 * 1024 * 1024, timeout: 290_000 },
    );
    const result = JSON.parse(stdout) as BenchResult;

    expect(result.mode).toBe('quick');
    expect(result.events.count).toBe(N);
    expect(Object.keys(result.scenarios).sort()).toEqual([...scenarioIds]);
    for (const id of scenarioIds) {
      const s = result.scenarios[id];
      expect(s.eventsPerSec, id).toBeGreaterThan(0);
      expect(s.cpuSeconds, id).toBeGreaterThan(0);
      expect(s.peakRssMb, id).toBeGreaterThan(0);
      expect(s.runs, id).toHaveLength(1);
      expect(s.complete, id).toBe(true);
      expect(s.runs[0]?.events, id).toBe(N);
    }
    // Exactly N applied, read back from Postgres: no event lost, none applied twice.
    expect(result.scenarios.B2.runs[0]?.check.projectionReadings).toBe(N);
    // B writes D's end state: a dedupe record per event, the projection, an outbox row per follow-on (not relayed).
    expect(result.scenarios.B.runs[0]?.check).toEqual({
      processedEvents: N,
      projectionReadings: N,
      outboxLeft: N / 10,
    });
    expect(result.scenarios.B.runs[0]?.batchSizeChosen?.batchSize).toEqual(expect.any(Number));
    // E: read back from the schema swapped in by the rebuild (D's name; D's own version kept as __previous).
    for (const id of ['C', 'C2', 'D', 'E'] as const)
      expect(result.scenarios[id].runs[0]?.check, id).toMatchObject({
        processedEvents: N,
        projectionReadings: N,
      });
    expect(result.scenarios.D.runs[0]?.check.outboxLeft).toBe(0);
    // Replay mode: the rebuild suppresses follow-ons, its outbox stays empty.
    expect(result.scenarios.E.runs[0]?.check.outboxLeft).toBe(0);
    expect(result.scenarios.E.runs[0]?.phases).toMatchObject({
      catchUpSeconds: expect.any(Number),
      switchSeconds: expect.any(Number),
    });
    expect(result.scenarios.E.note).toMatch(/schemas swapped/);

    expect(result.latency.samples).toBe(400);
    expect(result.latency.missing).toBe(0);
    expect(result.latency.p50Ms).toBeGreaterThanOrEqual(0);
    expect(result.latency.p99Ms).toBeGreaterThanOrEqual(result.latency.p50Ms ?? 0);

    expect(result.latency.sendLagMaxMs).toEqual(expect.any(Number));
    expect(Object.keys(result.ratios)).toEqual(['D/C', 'D/C′', 'D/min(A,B)', 'D/serial(A,B)', 'E/D', 'A′/A']);
    expect(result.ratios['D/C']).toBeGreaterThan(0);
    expect(result.ratios['D/serial(A,B)']).toBeGreaterThan(0);
    expect(result.ratios['E/D']).toBeGreaterThan(0);
    expect(result.targets.every((t) => t.met === null)).toBe(true); // quick mode reports, never judges
    expect(result.machine).toMatchObject({ cpus: expect.any(Number), node: process.version });
    expect(result.machine.postgres).toEqual(expect.any(String));
    expect(result.versions.kafkajs).toBe('2.2.4');
  });
});
