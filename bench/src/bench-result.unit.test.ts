import { describe, expect, it } from 'vitest';
import {
  batchSizeNote,
  emptyScenarios,
  median,
  ratiosOf,
  rebuildMillionSeconds,
  rebuildNote,
  serialRate,
  summarize,
  targetsOf,
} from './bench-result.ts';
import type { ScenarioSample } from './scenario.ts';

const sample = (eventsPerSec: number, peakRssMb = 100, events = 10): ScenarioSample => ({
  events,
  complete: true,
  seconds: events / eventsPerSec,
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

  it('computes D/C, D/C′, D/min(A,B), D/serial(A,B), E/D, A′/A and judges targets only in full mode', () => {
    const scenarios = {
      ...emptyScenarios(),
      A: summarize('A', [sample(40_000)]),
      A2: summarize('A2', [sample(60_000)]),
      B: summarize('B', [sample(20_000)]),
      C: summarize('C', [sample(500)]),
      C2: summarize('C2', [sample(1_500)]),
      D: summarize('D', [sample(12_000, 160)]),
      E: summarize('E', [sample(18_000)]),
    };
    const ratios = ratiosOf(scenarios);
    // serial(40,000, 20,000) = 1 / (1/40,000 + 1/20,000) = 13,333
    expect(serialRate(40_000, 20_000)).toBeCloseTo(13_333.33, 1);
    expect(ratios).toEqual({
      'D/C': 24,
      'D/C′': 8,
      'D/min(A,B)': 0.6,
      'D/serial(A,B)': 0.9,
      'E/D': 1.5,
      'A′/A': 1.5,
    });
    const latency = { p99Ms: 40, peakRssMb: 150, ratePerSec: 1000 } as never;
    const full = targetsOf({ mode: 'full', ratios, scenarios, latency });
    expect(full.map((t) => t.name)).toEqual([
      'D/C',
      'D/min(A,B)',
      'D/serial(A,B)',
      'E/D',
      'p99 due → visible at 1000 events/s (open loop)',
      'peak RSS of one processor (D)',
      'rebuild of 1,000,000 events (E, extrapolated from its rate at N: not judged)',
    ]);
    // The 1,000,000-event rebuild is extrapolated from 10 events: reported, not judged.
    expect(full.map((t) => t.met)).toEqual([true, true, true, true, true, false, null]);
    expect(targetsOf({ mode: 'quick', ratios, scenarios, latency }).every((t) => t.met === null)).toBe(true);
    const none = { ...scenarios, E: summarize('E', [], rebuildNote([])) };
    expect(ratiosOf(none)['E/D']).toBeNull();
    expect(none.E.note).toMatch(/not run/);
    expect(ratiosOf(emptyScenarios())['D/serial(A,B)']).toBeNull();
  });

  it("names B's chosen batch size and what each candidate did", () => {
    const withChoice = (batchSize: number, rates: Record<string, number>) => ({
      ...sample(1_000),
      batchSizeChosen: { batchSize, sampleEventsPerSec: rates },
    });
    expect(
      batchSizeNote([
        withChoice(2000, { 500: 10_000, 2000: 30_000 }),
        withChoice(2000, { 500: 12_000, 2000: 28_000 }),
      ]),
    ).toBe(
      'batch size 2,000, the fastest on a sample of each run (events/s by size, median: 500: 11,000, 2,000: 29,000)',
    );
    expect(batchSizeNote([sample(1)])).toBeNull();
  });

  it('splits the rebuild window into catch-up and switch, and judges 1,000,000 events only when measured', () => {
    const withPhases = (eventsPerSec: number, events: number, catchUp: number, sw: number) => ({
      ...sample(eventsPerSec, 100, events),
      phases: { catchUpSeconds: events / catchUp, switchSeconds: sw, catchUpEventsPerSec: catchUp },
    });
    const small = summarize('E', [
      withPhases(8_000, 200_000, 20_000, 5),
      withPhases(9_000, 200_000, 25_000, 4),
    ]);
    expect(rebuildNote(small.runs)).toBe(
      'window: first record → schemas swapped; catch-up alone 22,500 events/s, switch 4.5 s',
    );
    // 1,000,000 / 22,500 + 4.5 s
    expect(rebuildMillionSeconds(small)).toEqual({ seconds: 48.9, measured: false });
    const million = summarize('E', [withPhases(20_000, 1_000_000, 21_000, 3)]);
    expect(rebuildMillionSeconds(million)).toEqual({ seconds: 50, measured: true });
    const latency = { p99Ms: 40, peakRssMb: 150, ratePerSec: 1000 } as never;
    const scenarios = { ...emptyScenarios(), E: million };
    const targets = targetsOf({ mode: 'full', ratios: ratiosOf(scenarios), scenarios, latency });
    expect(targets[6]).toMatchObject({ name: 'rebuild of 1,000,000 events (E)', actual: 50, met: true });
  });
});
