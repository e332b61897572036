import { loadavg } from 'node:os';
import { createTestDatabase, testKafka, uniqueName } from '@fleet/testkit';
import type { Producer } from 'kafkajs';
import type { Kysely } from 'kysely';
import {
  type BenchResult,
  batchSizeNote,
  ratiosOf,
  rebuildNote,
  type ScenarioSummary,
  summarize,
  targetsOf,
} from './bench-result.ts';
import { createBenchTopics, deleteBenchTopics } from './bench-topics.ts';
import { measureLatency, percentile } from './latency-probe.ts';
import { machineInfo, packageVersions } from './machine-info.ts';
import { produceReadings } from './produce-readings.ts';
import { runInChild } from './run-in-child.ts';
import {
  round,
  runtimeOverrides,
  type ScenarioId,
  type ScenarioInput,
  type ScenarioSample,
  scenarioIds,
} from './scenario.ts';
import { schemaDatabase } from './schema-database.ts';

export interface BenchOptions {
  mode: 'full' | 'quick';
  events: number;
  keys: number;
  runs: number;
  batchSize: number;
  /** B's batch sizes, tried on a sample in each run; the fastest is used. */
  databaseBatchSizes: number[];
  writers: number;
  latencyRate: number;
  latencySeconds: number;
  /** Scenario C is one event at a time: its window is capped (its rate does not depend on N). */
  naiveMaxSeconds: number;
  maxSeconds: number;
  /** E rebuilds the projection of the same run's D, so E implies D (run first, reported too). */
  scenarios: ScenarioId[];
  /** Node flags for the scenario processes, e.g. `--cpu-prof --cpu-prof-dir=…`. */
  childExecArgv: Partial<Record<ScenarioId | 'serve', string[]>>;
  /** Environment of the runtime's processes (D, E, serve) on top of ours, e.g. a memory budget's fetch sizes. */
  runtimeEnv?: Record<string, string>;
  keepDatabase: boolean;
  /** Said in the result's notes (e.g. the memory budget the runtime ran within). */
  notes?: string[];
  log: (line: string) => void;
}

/** Produces N events once, runs each scenario `runs` times (interleaved, each in its own process), then the latency phase. */
export async function runBench(o: BenchOptions): Promise<BenchResult> {
  const startedAt = new Date();
  const began = performance.now();
  const machine = await machineInfo();
  const notes: string[] = [...(o.notes ?? [])];
  const overrides = Object.entries(runtimeOverrides());
  if (overrides.length > 0)
    notes.push(
      `runtime settings from the environment (not the defaults): ${overrides.map(([k, v]) => `${k}=${v}`).join(' ')}`,
    );
  const wanted = new Set(o.scenarios);
  if (wanted.has('E')) wanted.add('D');
  const scenarioOrder = scenarioIds.filter((id) => wanted.has(id));
  if (machine.loadAverageAtStart[0] !== undefined && machine.loadAverageAtStart[0] > machine.cpus * 0.5)
    notes.push(
      `machine loaded at start (load average ${machine.loadAverageAtStart.join(' ')} on ${machine.cpus} cpus): numbers are noisy`,
    );
  const database = await createTestDatabase('bench');
  const topics = await createBenchTopics('bench');
  const producer = testKafka('bench-producer').producer();
  await producer.connect();
  const created = [topics.readingsTopic, topics.milestonesTopic];
  try {
    o.log(`producing ${o.events} events (${o.keys} keys, 6 partitions) to ${topics.readingsTopic}`);
    const produced = await produceReadings(producer, topics, o.events, o.keys);
    o.log(
      `produced in ${produced.seconds.toFixed(1)} s; value ${produced.valueBytes} B, headers ${produced.headerBytes} B`,
    );

    const samples = Object.fromEntries(scenarioIds.map((id) => [id, [] as ScenarioSample[]])) as Record<
      ScenarioId,
      ScenarioSample[]
    >;
    for (let run = 1; run <= o.runs; run++) {
      const dGroup = uniqueName(`bench-d-${run}`);
      for (const id of scenarioOrder) {
        const input: ScenarioInput = {
          scenario: id,
          events: o.events,
          keys: o.keys,
          readingsTopic: topics.readingsTopic,
          milestonesTopic: topics.milestonesTopic,
          databaseUrl: database.url,
          // E rebuilds the projection D just built: D's schema (swapped) and D's group (its offsets as the limit).
          schema: id === 'E' ? `d_run${run}` : `${id.toLowerCase()}_run${run}`,
          groupId: id === 'D' || id === 'E' ? dGroup : uniqueName(`bench-${id.toLowerCase()}-${run}`),
          batchSize: o.batchSize,
          ...(id === 'B' ? { batchSizeCandidates: o.databaseBatchSizes } : {}),
          writers: o.writers,
          maxSeconds: id === 'C' || id === 'C2' ? o.naiveMaxSeconds : o.maxSeconds,
        };
        const runtime = id === 'D' || id === 'E';
        const sample = await runInChild(input, o.childExecArgv[id], runtime ? o.runtimeEnv : undefined)
          .result;
        samples[id].push(sample);
        o.log(
          `${id} run ${run}: ${sample.eventsPerSec} events/s (${sample.events} in ${sample.seconds} s${
            sample.complete ? '' : ', window capped'
          }), cpu ${sample.cpuSeconds} s, peak rss ${sample.peakRssMb} MB${
            sample.batchSizeChosen
              ? `; batch size ${sample.batchSizeChosen.batchSize} (sample: ${JSON.stringify(sample.batchSizeChosen.sampleEventsPerSec)})`
              : ''
          }${
            sample.phases
              ? `; catch-up ${sample.phases.catchUpSeconds} s (${sample.phases.catchUpEventsPerSec} events/s), switch ${sample.phases.switchSeconds} s`
              : ''
          }`,
        );
      }
    }

    const latency = await latencyPhase(o, database.url, producer, created);

    const capped = (id: ScenarioId) =>
      samples[id].some((s) => !s.complete)
        ? `one event at a time per partition: window capped at ${o.naiveMaxSeconds} s (its rate does not depend on N)`
        : null;
    const scenarioNotes: Partial<Record<ScenarioId, string | null>> = {
      B: batchSizeNote(samples.B),
      C: capped('C'),
      C2: capped('C2'),
      E: rebuildNote(samples.E),
    };
    const scenarios = Object.fromEntries(
      scenarioIds.map((id) => [
        id,
        summarize(id, samples[id], samples[id].length === 0 ? 'not run' : (scenarioNotes[id] ?? null)),
      ]),
    ) as Record<ScenarioId, ScenarioSummary>;
    const partial = {
      mode: o.mode,
      scenarios,
      ratios: ratiosOf(scenarios),
      latency,
    };
    return {
      schemaVersion: 2,
      startedAt: startedAt.toISOString(),
      durationSeconds: round((performance.now() - began) / 1000, 1),
      events: {
        count: o.events,
        keys: o.keys,
        partitions: topics.contracts.readings.partitions,
        valueBytes: produced.valueBytes,
        headerBytes: produced.headerBytes,
        followOnShare: 0.1,
        batchSize: o.batchSize,
        runs: o.runs,
        produceSeconds: round(produced.seconds, 2),
      },
      ...partial,
      targets: targetsOf(partial),
      machine: { ...machine, loadAverageAtEnd: loadavg().map((l) => round(l, 2)) },
      versions: packageVersions(),
      notes,
    };
  } finally {
    await producer.disconnect();
    await deleteBenchTopics(created);
    if (!o.keepDatabase) await database.drop();
  }
}

/** D's latency under a steady rate, in a fresh processor of its own; all null when skipped (`--no-latency`). */
async function latencyPhase(
  o: BenchOptions,
  databaseUrl: string,
  producer: Producer,
  created: string[],
): Promise<BenchResult['latency']> {
  const skipped: BenchResult['latency'] = {
    ratePerSec: o.latencyRate,
    seconds: 0,
    p50Ms: null,
    p90Ms: null,
    p99Ms: null,
    maxMs: null,
    toHandlerP50Ms: null,
    toHandlerP99Ms: null,
    eventsPerSubBatch: null,
    transactionsPerEvent: null,
    sendLagP99Ms: null,
    sendLagMaxMs: null,
    samples: 0,
    missing: 0,
    pollIntervalMs: 0,
    cpuSeconds: null,
    peakRssMb: null,
  };
  if (o.latencySeconds <= 0) {
    o.log('latency phase skipped');
    return skipped;
  }
  o.log(
    `latency phase: ${o.latencyRate} events/s for ${o.latencySeconds} s (open loop) against a running processor`,
  );
  const latencyTopics = await createBenchTopics('bench-latency');
  created.push(latencyTopics.readingsTopic, latencyTopics.milestonesTopic);
  const serve = runInChild(
    {
      scenario: 'serve',
      events: 0,
      keys: o.keys,
      readingsTopic: latencyTopics.readingsTopic,
      milestonesTopic: latencyTopics.milestonesTopic,
      databaseUrl,
      schema: 'latency',
      groupId: uniqueName('bench-latency'),
      batchSize: o.batchSize,
      writers: o.writers,
      maxSeconds: o.maxSeconds,
    },
    o.childExecArgv.serve,
    o.runtimeEnv,
  );
  await serve.ready;
  const probe = await schemaDatabase(databaseUrl, 'latency', 1);
  let latency: Awaited<ReturnType<typeof measureLatency>>;
  try {
    latency = await measureLatency({
      producer,
      topics: latencyTopics,
      db: probe as Kysely<unknown>,
      keys: o.keys,
      rate: o.latencyRate,
      seconds: o.latencySeconds,
    });
  } finally {
    serve.stop();
    await probe.destroy();
  }
  const served = await serve.result;
  const p = (q: number) => percentile(latency.latenciesMs, q);
  o.log(
    `latency: p50 ${p(50)} ms, p99 ${p(99)} ms over ${latency.latenciesMs.length} events (${latency.missing} missing)`,
  );
  return {
    ...skipped,
    seconds: o.latencySeconds,
    p50Ms: p(50),
    p90Ms: p(90),
    p99Ms: p(99),
    maxMs: p(100),
    toHandlerP50Ms: served.toHandlerMs?.p50 ?? null,
    toHandlerP99Ms: served.toHandlerMs?.p99 ?? null,
    eventsPerSubBatch: served.handlerCalls ? round(latency.produced / served.handlerCalls, 2) : null,
    transactionsPerEvent: latency.produced ? round(latency.transactions / latency.produced, 2) : null,
    sendLagP99Ms: percentile(latency.sendLagMs, 99),
    sendLagMaxMs: percentile(latency.sendLagMs, 100),
    samples: latency.latenciesMs.length,
    missing: latency.missing,
    pollIntervalMs: round(latency.pollIntervalMs, 2),
    cpuSeconds: served.cpuSeconds,
    peakRssMb: served.peakRssMb,
  };
}
