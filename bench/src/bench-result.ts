import type { MachineInfo } from './machine-info.ts';
import { round, type ScenarioId, type ScenarioSample, scenarioIds } from './scenario.ts';

export interface ScenarioSummary {
  name: string;
  /** Median over runs; null when the scenario does not exist yet (E). */
  eventsPerSec: number | null;
  cpuSeconds: number | null;
  cpuMicrosPerEvent: number | null;
  /** Busy CPU of the whole machine per event in the window (median; the scenario, Postgres, Kafka, and other load). */
  machineCpuMicrosPerEvent: number | null;
  /** Highest over runs (a ceiling target is about the worst case). */
  peakRssMb: number | null;
  complete: boolean;
  note: string | null;
  runs: ScenarioSample[];
}

export interface Target {
  name: string;
  target: string;
  actual: number | null;
  /** null: not measured (or quick mode, where targets are reported only). */
  met: boolean | null;
}

export interface BenchResult {
  /** 2: scenarios A′, B′, C′ added, B redefined (COPY + merge with dedupe and outbox), open-loop latency. */
  schemaVersion: 2;
  mode: 'full' | 'quick';
  startedAt: string;
  durationSeconds: number;
  events: {
    count: number;
    keys: number;
    partitions: number;
    valueBytes: number;
    headerBytes: number;
    followOnShare: number;
    batchSize: number;
    runs: number;
    produceSeconds: number;
  };
  scenarios: Record<ScenarioId, ScenarioSummary>;
  latency: {
    ratePerSec: number;
    seconds: number;
    p50Ms: number | null;
    p90Ms: number | null;
    p99Ms: number | null;
    maxMs: number | null;
    /** Of which produce → handler called (Kafka, fetch, decode, dedupe insert). */
    toHandlerP50Ms: number | null;
    toHandlerP99Ms: number | null;
    /** Events per batch-handler call (sub-batch) and Postgres transactions per event at this rate. */
    eventsPerSubBatch: number | null;
    transactionsPerEvent: number | null;
    /**
     * Open loop: event i is due at start + i / rate, stamped with that time and sent then whether or
     * not earlier sends are done; latency counts from the due time. How late sends left, at worst.
     */
    sendLagP99Ms: number | null;
    sendLagMaxMs: number | null;
    samples: number;
    missing: number;
    pollIntervalMs: number;
    cpuSeconds: number | null;
    peakRssMb: number | null;
  };
  ratios: {
    'D/C': number | null;
    /** C′ has D's partition concurrency: what batching buys, concurrency apart. */
    'D/C′': number | null;
    'D/min(A,B)': number | null;
    /** serial(A,B) = 1 / (1/A + 1/B): reading and writing each event one after the other, no overlap. */
    'D/serial(A,B)': number | null;
    'E/D': number | null;
    /** The other client's do-nothing consumer against kafkajs'. */
    'A′/A': number | null;
  };
  targets: Target[];
  machine: MachineInfo & { loadAverageAtEnd: number[] };
  versions: Record<string, string>;
  notes: string[];
}

export const scenarioNames: Record<ScenarioId, string> = {
  A: 'client ceiling (kafkajs eachBatch, no decode)',
  A2: 'client ceiling on @platformatic/kafka (stream, no decode)',
  B: "database ceiling: D's writes (dedupe + projection + outbox), COPY + one merge per batch, no Kafka",
  B2: 'projection upsert only (unnest, batches of 500; no dedupe, no outbox, no Kafka)',
  C: 'naive baseline (eachMessage, transaction per event, one partition at a time)',
  C2: "naive baseline with D's partition concurrency (3 partitions at once)",
  D: 'this runtime (defineProcessor + ProcessorRuntime, onBatch, outbox 10%)',
  E: 'rebuild of D (operator path: rebuildProcessor)',
};

/** Every scenario summarized, not-run ones included (null figures, a note). */
export function emptyScenarios(): Record<ScenarioId, ScenarioSummary> {
  return Object.fromEntries(scenarioIds.map((id) => [id, summarize(id, [], 'not run')])) as Record<
    ScenarioId,
    ScenarioSummary
  >;
}

/** The rebuild target: 1,000,000 events in under 60 s. */
export const REBUILD_TARGET_EVENTS = 1_000_000;

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? null) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

export function summarize(
  id: ScenarioId,
  runs: ScenarioSample[],
  note: string | null = null,
): ScenarioSummary {
  const med = (pick: (s: ScenarioSample) => number) => {
    const m = median(runs.map(pick));
    return m === null ? null : round(m, 3);
  };
  return {
    name: scenarioNames[id],
    eventsPerSec: runs.length ? Math.round(median(runs.map((r) => r.eventsPerSec)) ?? 0) : null,
    cpuSeconds: med((r) => r.cpuSeconds),
    cpuMicrosPerEvent: med((r) => r.cpuMicrosPerEvent),
    machineCpuMicrosPerEvent: runs.some((r) => typeof r.machineCpuMicrosPerEvent === 'number')
      ? med((r) => r.machineCpuMicrosPerEvent ?? 0)
      : null,
    peakRssMb: runs.length ? Math.max(...runs.map((r) => r.peakRssMb)) : null,
    complete: runs.length > 0 && runs.every((r) => r.complete),
    note,
    runs,
  };
}

/**
 * E's note: what its window covers and how it splits (medians over runs). The catch-up scales with N,
 * the switch (pause, live offsets stable for 1 s, swap) does not.
 */
export function rebuildNote(runs: ScenarioSample[]): string {
  if (runs.length === 0) return 'not run (--scenarios without E)';
  const m = (pick: (p: NonNullable<ScenarioSample['phases']>) => number) =>
    median(runs.flatMap((r) => (r.phases ? [pick(r.phases)] : [])));
  const catchUp = m((p) => p.catchUpEventsPerSec);
  const sw = m((p) => p.switchSeconds);
  return `window: first record → schemas swapped; catch-up alone ${catchUp === null ? '—' : Math.round(catchUp).toLocaleString('en')} events/s, switch ${sw === null ? '—' : sw.toFixed(1)} s`;
}

/** B's note: the batch size its runs chose, and what each candidate did on the sample (medians). */
export function batchSizeNote(runs: ScenarioSample[]): string | null {
  const chosen = runs.flatMap((r) => (r.batchSizeChosen ? [r.batchSizeChosen] : []));
  if (chosen.length === 0) return null;
  const sizes = Object.keys(chosen[0]?.sampleEventsPerSec ?? {});
  const perSize = sizes.map((size) => {
    const m = median(chosen.map((c) => c.sampleEventsPerSec[size] ?? 0));
    return `${Number(size).toLocaleString('en')}: ${Math.round(m ?? 0).toLocaleString('en')}`;
  });
  return `batch size ${[...new Set(chosen.map((c) => c.batchSize.toLocaleString('en')))].join(' / ')}, the fastest on a sample of each run (events/s by size, median: ${perSize.join(', ')})`;
}

/**
 * Seconds a rebuild of 1,000,000 events takes: measured (median window) when E ran on exactly that
 * many, else extrapolated: 1,000,000 / the catch-up rate + the switch (medians).
 */
export function rebuildMillionSeconds(e: ScenarioSummary): { seconds: number | null; measured: boolean } {
  const runs = e.runs.filter((r) => r.complete);
  if (runs.length === 0) return { seconds: null, measured: false };
  if (runs.every((r) => r.events === REBUILD_TARGET_EVENTS))
    return { seconds: round(median(runs.map((r) => r.seconds)) ?? 0, 1), measured: true };
  const rate = median(runs.map((r) => r.phases?.catchUpEventsPerSec ?? r.eventsPerSec));
  const sw = median(runs.map((r) => r.phases?.switchSeconds ?? 0)) ?? 0;
  return { seconds: rate ? round(REBUILD_TARGET_EVENTS / rate + sw, 1) : null, measured: false };
}

const ratio = (a: number | null, b: number | null) =>
  a === null || b === null || b === 0 ? null : round(a / b, 2);

/** 1 / (1/a + 1/b): the rate of doing a's work and then b's for each event, with no overlap. */
export function serialRate(a: number | null, b: number | null): number | null {
  if (a === null || b === null || a <= 0 || b <= 0) return null;
  return 1 / (1 / a + 1 / b);
}

export function ratiosOf(s: Record<ScenarioId, ScenarioSummary>): BenchResult['ratios'] {
  const a = s.A.eventsPerSec;
  const b = s.B.eventsPerSec;
  const ceiling = a === null || b === null ? null : Math.min(a, b);
  return {
    'D/C': ratio(s.D.eventsPerSec, s.C.eventsPerSec),
    'D/C′': ratio(s.D.eventsPerSec, s.C2.eventsPerSec),
    'D/min(A,B)': ratio(s.D.eventsPerSec, ceiling),
    'D/serial(A,B)': ratio(s.D.eventsPerSec, serialRate(a, b)),
    'E/D': ratio(s.E.eventsPerSec, s.D.eventsPerSec),
    'A′/A': ratio(s.A2.eventsPerSec, a),
  };
}

export function targetsOf(result: Pick<BenchResult, 'ratios' | 'latency' | 'scenarios' | 'mode'>): Target[] {
  const judged = (actual: number | null, ok: (v: number) => boolean) =>
    actual === null || result.mode === 'quick' ? null : ok(actual);
  const rss = Math.max(result.scenarios.D.peakRssMb ?? 0, result.latency.peakRssMb ?? 0) || null;
  const million = rebuildMillionSeconds(result.scenarios.E);
  return [
    {
      name: 'D/C',
      target: '≥ 10',
      actual: result.ratios['D/C'],
      met: judged(result.ratios['D/C'], (v) => v >= 10),
    },
    {
      name: 'D/min(A,B)',
      target: '≥ 0.5',
      actual: result.ratios['D/min(A,B)'],
      met: judged(result.ratios['D/min(A,B)'], (v) => v >= 0.5),
    },
    {
      name: 'D/serial(A,B)',
      target: '≥ 0.8',
      actual: result.ratios['D/serial(A,B)'],
      met: judged(result.ratios['D/serial(A,B)'], (v) => v >= 0.8),
    },
    {
      name: 'E/D',
      target: '≥ 1.0',
      actual: result.ratios['E/D'],
      met: judged(result.ratios['E/D'], (v) => v >= 1),
    },
    {
      name: `p99 due → visible at ${result.latency.ratePerSec} events/s (open loop)`,
      target: '≤ 50 ms',
      actual: result.latency.p99Ms,
      met: judged(result.latency.p99Ms, (v) => v <= 50),
    },
    {
      name: 'peak RSS of one processor (D)',
      target: '≤ 150 MB',
      actual: rss,
      met: judged(rss, (v) => v <= 150),
    },
    {
      name: `rebuild of ${REBUILD_TARGET_EVENTS.toLocaleString('en')} events (E${million.measured ? '' : ', extrapolated from its rate at N: not judged'})`,
      target: '≤ 60 s',
      actual: million.seconds,
      met: million.measured ? judged(million.seconds, (v) => v <= 60) : null,
    },
  ];
}
