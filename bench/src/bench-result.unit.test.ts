import { describe, expect, it } from 'vitest';
import { median, ratiosOf, summarize, targetsOf } from './bench-result.ts';
import type { ScenarioSample } from './scenario.ts';

const sample = (eventsPerSec: number, peakRssMb = 100): ScenarioSample => ({
  events: 10,
  complete: true,
  seconds: 1,
  eventsPerSec,
  cpuSeconds: 1,
  cpuMicrosPerEvent: 1,
  peakRssMb,
  sampledPeakRssMb: peakRssMb,
  startupSeconds: 0,
  check: { processedEvents: null, projectionReadings: null, outboxLeft: null },
});

describe('bench result', () => {
  it('takes medians of runs and the highest peak RSS', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([])).toBeNull();
    const s = summarize('D', [sample(300, 120), sample(100, 140), sample(200, 130)]);
    expect(s.eventsPerSec).toBe(200);
    expect(s.peakRssMb).toBe(140);
  });

  it('computes D/C, D/min(A,B), E/D and judges targets only in full mode', () => {
    const scenarios = {
      A: summarize('A', [sample(40_000)]),
      B: summarize('B', [sample(20_000)]),
      C: summarize('C', [sample(500)]),
      D: summarize('D', [sample(12_000, 160)]),
      E: summarize('E', [], 'rebuild scenario not wired to the operator path yet'),
    };
    const ratios = ratiosOf(scenarios);
    expect(ratios).toEqual({ 'D/C': 24, 'D/min(A,B)': 0.6, 'E/D': null });
    const latency = { p99Ms: 40, peakRssMb: 150, ratePerSec: 1000 } as never;
    const full = targetsOf({ mode: 'full', ratios, scenarios, latency });
    expect(full.map((t) => t.met)).toEqual([true, true, null, true, false]);
    expect(targetsOf({ mode: 'quick', ratios, scenarios, latency }).every((t) => t.met === null)).toBe(true);
  });
});
