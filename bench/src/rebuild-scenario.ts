import { RebuildError, type RebuildProgress, rebuildProcessor } from '@fleet/processor';
import type { Kysely } from 'kysely';
import { appliedReadings } from './meter-totals.ts';
import { ResourceMeter } from './resource-meter.ts';
import { benchDefinition, benchRuntimeConfig } from './runtime-processor.ts';
import { round, type ScenarioInput, type ScenarioSample, sampleOf } from './scenario.ts';
import { countRows, schemaDatabase } from './schema-database.ts';

/**
 * E — rebuild through the operator path: `rebuildProcessor` on the schema and consumer group a D run
 * left (its group committed at the end of the topic, its instance stopped and deregistered). The
 * rebuild fills `<schema>__rebuild` from offset 0 with its own group in replay mode, up to the live
 * group's offsets, pauses the live instances (none here: nothing to wait for), swaps the schemas
 * and keeps D's as `<schema>__previous`.
 *
 * Window: the first record reaching the handler → the `done` progress (schemas swapped, pause lifted,
 * rebuild group deleted). The switch is included; `phases` splits it off. Lock, migrations of the new
 * schema and the group join are before it (`startupSeconds`).
 */
export async function runRebuild(input: ScenarioInput): Promise<ScenarioSample> {
  const begun = performance.now();
  const meter = new ResourceMeter();
  let startup = 0;
  let switchingAt: number | undefined;
  let measured: ReturnType<ResourceMeter['stop']> | undefined;
  const definition = benchDefinition(input, () => {
    if (meter.started) return;
    startup = (performance.now() - begun) / 1000;
    meter.start();
  });
  const onProgress = (p: RebuildProgress) => {
    if (p.phase === 'switching') switchingAt ??= performance.now();
    if (p.phase === 'done') measured ??= meter.stop();
  };
  let rebuilt = input.schema;
  try {
    await rebuildProcessor(definition, {
      config: benchRuntimeConfig(input),
      from: 'earliest',
      onProgress,
      signal: AbortSignal.timeout(input.maxSeconds * 1000),
    });
  } catch (error) {
    // Capped: report what the rebuild schema holds (the live version is untouched).
    if (!(error instanceof RebuildError && error.code === 'ABORTED')) throw error;
    measured ??= meter.stop();
    rebuilt = `${input.schema}__rebuild`;
  }
  const end = measured ?? meter.stop();
  const probe = await schemaDatabase(input.databaseUrl, rebuilt, 1);
  const db = probe as unknown as Kysely<unknown>;
  const check = {
    processedEvents: await countRows(db, 'processed_events'),
    projectionReadings: await appliedReadings(db),
    outboxLeft: await countRows(db, 'outbox'),
  };
  await probe.destroy();
  const sample = sampleOf(check.projectionReadings, input.events, startup, end, check);
  const windowStart = meter.startedAt ?? begun;
  const catchUpSeconds = ((switchingAt ?? performance.now()) - windowStart) / 1000;
  return {
    ...sample,
    phases: {
      catchUpSeconds: round(catchUpSeconds, 3),
      switchSeconds: round(Math.max(0, end.seconds - catchUpSeconds), 3),
      catchUpEventsPerSec: catchUpSeconds > 0 ? Math.round(check.projectionReadings / catchUpSeconds) : 0,
    },
  };
}
