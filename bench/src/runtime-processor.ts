import { loadRuntimeConfig, ProcessorRuntime, type RuntimeConfig } from '@fleet/processor';
import { infraSettings } from '@fleet/testkit';
import type { Kysely } from 'kysely';
import { benchContracts, type MeterRead } from './bench-contracts.ts';
import { benchProcessor } from './bench-processor.ts';
import { percentile } from './latency-probe.ts';
import { appliedReadings, type MeterTotalsDb } from './meter-totals.ts';
import { ResourceMeter } from './resource-meter.ts';
import type { ScenarioInput, ScenarioSample } from './scenario.ts';
import { runtimeOverrides, sampleOf } from './scenario.ts';
import { countRows, schemaDatabase } from './schema-database.ts';

/** Scenario D's processor definition; `observe` sees each run of events reaching its handler. */
export function benchDefinition(input: ScenarioInput, observe: (events: MeterRead[]) => void) {
  return benchProcessor(benchContracts(input.readingsTopic, input.milestonesTopic), observe);
}

/** The runtime's default settings, pointed at the run's schema and consumer group. */
export function benchRuntimeConfig(input: ScenarioInput): RuntimeConfig {
  const settings = infraSettings();
  return loadRuntimeConfig({
    ...runtimeOverrides(), // PROCESSOR_* set in the benchmark's environment (experiments; noted in the result)
    KAFKA_BROKERS: settings.kafkaBrokers.join(','),
    SCHEMA_REGISTRY_URL: settings.schemaRegistryUrl,
    DATABASE_URL: input.databaseUrl,
    PROCESSOR_DB_SCHEMA: input.schema,
    PROCESSOR_GROUP_ID: input.groupId,
    HTTP_PORT: '0', // a real service serves /metrics and /readyz; idle here, but loaded
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  });
}

/** Scenario D's processor, started in this process with default settings (own schema and group). */
export async function startBenchRuntime(input: ScenarioInput, observe: (events: MeterRead[]) => void) {
  return ProcessorRuntime.start(benchDefinition(input, observe), { config: benchRuntimeConfig(input) });
}

/**
 * D — this runtime: every event applied (the projection's readings sum to N) AND the outbox drained
 * (every follow-on acknowledged by the broker). Polled every 100 ms from this process.
 */
export async function runRuntimeProcessor(input: ScenarioInput): Promise<ScenarioSample> {
  const begun = performance.now();
  const meter = new ResourceMeter();
  let startup = 0;
  const runtime = await startBenchRuntime(input, () => {
    if (meter.started) return;
    startup = (performance.now() - begun) / 1000;
    meter.start();
  });
  const probe = await schemaDatabase<MeterTotalsDb>(input.databaseUrl, input.schema, 1);
  const db = probe as unknown as Kysely<unknown>;
  const deadline = performance.now() + input.maxSeconds * 1000;
  let applied = 0;
  for (;;) {
    applied = meter.started ? await appliedReadings(db) : 0;
    if (applied >= input.events && (await countRows(db, 'outbox')) === 0) break;
    if (performance.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const measured = meter.stop();
  await runtime.stop();
  const check = {
    processedEvents: await countRows(db, 'processed_events'),
    projectionReadings: await appliedReadings(db),
    outboxLeft: await countRows(db, 'outbox'),
  };
  await probe.destroy();
  return sampleOf(applied, input.events, startup, measured, check);
}

/** The latency phase's processor: runs until the parent says `stop`, then reports its CPU and RSS. */
export async function serveRuntimeProcessor(
  input: ScenarioInput,
  ready: () => void,
  stopRequested: Promise<void>,
): Promise<ScenarioSample> {
  const begun = performance.now();
  // Produce → handler: how much of the end-to-end latency is spent before the handler runs.
  const toHandlerMs: number[] = [];
  let handlerCalls = 0;
  const runtime = await startBenchRuntime(input, (events) => {
    const now = Date.now();
    handlerCalls++;
    for (const e of events) toHandlerMs.push(now - e.producedAt);
  });
  const meter = new ResourceMeter();
  const startup = (performance.now() - begun) / 1000;
  meter.start();
  ready();
  await stopRequested;
  const measured = meter.stop();
  await runtime.stop();
  const probe = await schemaDatabase(input.databaseUrl, input.schema, 1);
  const check = {
    processedEvents: await countRows(probe, 'processed_events'),
    projectionReadings: await appliedReadings(probe),
    outboxLeft: await countRows(probe, 'outbox'),
  };
  await probe.destroy();
  return {
    ...sampleOf(check.processedEvents ?? 0, check.processedEvents ?? 0, startup, measured, check),
    toHandlerMs: { p50: percentile(toHandlerMs, 50), p99: percentile(toHandlerMs, 99) },
    handlerCalls,
  };
}
