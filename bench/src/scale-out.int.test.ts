import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { ScaleOutResult } from './scale-out-result.ts';

const run = promisify(execFile);

// The CLI on a tiny budget, real broker, registry and Postgres: correctness only (no figure is
// judged). A shorter session timeout (heartbeat 600 ms) lets a join complete on a small backlog.
describe('pnpm bench:scale-out on a tiny budget', () => {
  it('runs processor D as 2 processes and through a join and a leave without losing or doubling an event', {
    timeout: 180_000,
  }, async () => {
    const { stdout } = await run(
      process.execPath,
      [
        fileURLToPath(new URL('./scale-out.ts', import.meta.url)),
        ...['--instances', '2', '--repeats', '1', '--events', '1000'],
        ...['--scale-instances', '2', '--scale-events', '200000', '--dwell', '1', '--json'],
      ],
      {
        env: { ...process.env, PROCESSOR_SESSION_TIMEOUT_MS: '6000' },
        maxBuffer: 20 * 1024 * 1024,
        timeout: 170_000,
      },
    );
    const result = JSON.parse(stdout) as ScaleOutResult;
    const checks = [
      ...result.throughput.flatMap((t) => t.runs.flatMap((r) => r.correctness.checks)),
      ...(result.rebalance?.correctness.checks ?? []),
    ];
    expect(checks.filter((c) => c.mismatches !== 0)).toEqual([]);
    expect(checks.length).toBeGreaterThanOrEqual(12);
    expect(result.correct).toBe(true);

    // Two members holding three partitions each before the backlog became visible.
    const [throughputRun] = result.throughput[0]?.runs ?? [];
    expect(throughputRun?.assignment.map((p) => p.length)).toEqual([3, 3]);
    expect(throughputRun?.perInstanceEvents.reduce((a, b) => a + b, 0)).toBe(1000);

    // The rebalance run went through its whole schedule; b's partitions were taken over by a.
    const rebalance = result.rebalance;
    expect(rebalance?.cutShort).toBeNull();
    expect(rebalance?.scaleEvents.map((e) => `${e.kind} ${e.instance}`)).toEqual(['join b', 'leave b']);
    const handover = rebalance?.scaleEvents[1]?.handover ?? [];
    expect(handover.length).toBeGreaterThan(0);
    expect(handover.every((h) => h.by === 'a')).toBe(true);
    expect(rebalance?.correctness.redelivered).toBeGreaterThanOrEqual(0);
    expect(result.machine.uptimeAtStart).toMatch(/load average/);
  });
});
