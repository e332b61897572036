/**
 * A2, B2 and C2 are shown as A′, B′ and C′: A′ the client ceiling on another client, B′ the old
 * "database ceiling" under its honest name, C′ the naive baseline with D's partition concurrency.
 */
export const scenarioIds = ['A', 'A2', 'B', 'B2', 'C', 'C2', 'D', 'E'] as const;
export type ScenarioId = (typeof scenarioIds)[number];

/** How a scenario is named in tables (A2 → A′). */
export const scenarioLabel = (id: ScenarioId) => id.replace('2', '′');

/** `--scenarios` accepts the labels too (A′ or A2). */
export function parseScenarioIds(list: string): ScenarioId[] {
  const wanted = list
    .split(',')
    .map((s) => s.trim().replace(/[′']/, '2'))
    .filter(Boolean);
  const unknown = wanted.filter((s) => !(scenarioIds as readonly string[]).includes(s));
  if (unknown.length > 0)
    throw new Error(`unknown scenario(s): ${unknown.join(', ')} (known: ${scenarioIds.join(', ')})`);
  return scenarioIds.filter((id) => wanted.includes(id));
}

/** What a scenario's child process is told (as JSON in BENCH_SCENARIO). */
export interface ScenarioInput {
  /** `serve` runs scenario D's processor until told to stop (the latency phase); E rebuilds a D run's schema. */
  scenario: ScenarioId | 'serve';
  events: number;
  keys: number;
  readingsTopic: string;
  milestonesTopic: string;
  databaseUrl: string;
  /** Fresh per run: the Postgres schema written and the consumer group read with. */
  schema: string;
  groupId: string;
  batchSize: number;
  /**
   * Scenarios B and B′: concurrent writers (events split by key, so they never wait on each other's
   * rows); C′: partitions consumed at once. The runtime's default partition concurrency.
   */
  writers: number;
  /** B: batch sizes tried on a sample before the window; the fastest is used for the measured run. */
  batchSizeCandidates?: number[];
  /** The measured window ends here even if not every event was applied (`complete: false`). */
  maxSeconds: number;
}

/** One run of one scenario, measured in its own process. */
export interface ScenarioSample {
  /** Events applied (or read, for A) in the measured window; N when `complete`. */
  events: number;
  complete: boolean;
  /** From the first record reaching the scenario's code (B: the first write) to the last applied. */
  seconds: number;
  eventsPerSec: number;
  cpuSeconds: number;
  cpuMicrosPerEvent: number;
  /**
   * Busy CPU of the whole machine in the window (/proc/stat: this process, Postgres, Kafka and
   * whatever else runs on the shared machine), per event; null off Linux.
   */
  machineCpuMicrosPerEvent?: number | null;
  /** Peak RSS of the scenario's process over its life (kernel maxRSS), and sampled in the window. */
  peakRssMb: number;
  sampledPeakRssMb: number;
  /** Connect, join, migrate: before the window. */
  startupSeconds: number;
  /** Read back after the window: dedupe records, projection readings summed, outbox rows left. */
  check: { processedEvents: number | null; projectionReadings: number | null; outboxLeft: number | null };
  /** Latency phase only: produce → the handler got the event (the rest is the transaction and commit). */
  toHandlerMs?: { p50: number | null; p99: number | null };
  /** Latency phase only: batch-handler calls, i.e. sub-batches with new events. */
  handlerCalls?: number;
  /** E only: the window split at the `switching` progress (catch-up to the live offsets, then the switch). */
  phases?: { catchUpSeconds: number; switchSeconds: number; catchUpEventsPerSec: number };
  /** B only: the batch size used, chosen from the candidates by their events/s on a sample. */
  batchSizeChosen?: { batchSize: number; sampleEventsPerSec: Record<string, number> };
}

export type ChildMessage =
  | { kind: 'ready' }
  | { kind: 'result'; sample: ScenarioSample }
  | { kind: 'error'; message: string };

export function sampleOf(
  events: number,
  target: number,
  startupSeconds: number,
  measured: {
    seconds: number;
    cpuSeconds: number;
    machineCpuSeconds?: number | null;
    peakRssMb: number;
    sampledPeakRssMb: number;
  },
  check: ScenarioSample['check'],
): ScenarioSample {
  const seconds = measured.seconds;
  return {
    events,
    complete: events === target,
    seconds: round(seconds, 3),
    eventsPerSec: seconds > 0 ? Math.round(events / seconds) : 0,
    cpuSeconds: round(measured.cpuSeconds, 3),
    cpuMicrosPerEvent: events > 0 ? round((measured.cpuSeconds * 1e6) / events, 1) : 0,
    machineCpuMicrosPerEvent:
      measured.machineCpuSeconds == null || events === 0
        ? null
        : round((measured.machineCpuSeconds * 1e6) / events, 1),
    peakRssMb: round(measured.peakRssMb, 1),
    sampledPeakRssMb: round(measured.sampledPeakRssMb, 1),
    startupSeconds: round(startupSeconds, 3),
    check,
  };
}

export const round = (value: number, digits: number) => Number(value.toFixed(digits));

/** `PROCESSOR_*` and `DATABASE_POOL_MAX` from the environment, except the schema and group (per run). */
export function runtimeOverrides(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter(
      (e): e is [string, string] =>
        /^(PROCESSOR_|DATABASE_POOL_MAX$)/.test(e[0]) &&
        !['PROCESSOR_DB_SCHEMA', 'PROCESSOR_GROUP_ID', 'PROCESSOR_REPLAY'].includes(e[0]) &&
        e[1] !== undefined,
    ),
  );
}
