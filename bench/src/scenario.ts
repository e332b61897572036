export const scenarioIds = ['A', 'B', 'C', 'D', 'E'] as const;
export type ScenarioId = (typeof scenarioIds)[number];

/** What a scenario's child process is told (as JSON in BENCH_SCENARIO). */
export interface ScenarioInput {
  /** `serve` runs scenario D's processor until told to stop (the latency phase). */
  scenario: Exclude<ScenarioId, 'E'> | 'serve';
  events: number;
  keys: number;
  readingsTopic: string;
  milestonesTopic: string;
  databaseUrl: string;
  /** Fresh per run: the Postgres schema written and the consumer group read with. */
  schema: string;
  groupId: string;
  batchSize: number;
  /** Scenario B: concurrent writers (events split by key, so they never wait on each other's rows). */
  writers: number;
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
}

export type ChildMessage =
  | { kind: 'ready' }
  | { kind: 'result'; sample: ScenarioSample }
  | { kind: 'error'; message: string };

export function sampleOf(
  events: number,
  target: number,
  startupSeconds: number,
  measured: { seconds: number; cpuSeconds: number; peakRssMb: number; sampledPeakRssMb: number },
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
    peakRssMb: round(measured.peakRssMb, 1),
    sampledPeakRssMb: round(measured.sampledPeakRssMb, 1),
    startupSeconds: round(startupSeconds, 3),
    check,
  };
}

export const round = (value: number, digits: number) => Number(value.toFixed(digits));
