import type { MeterRead } from './bench-contracts.ts';
import { meterReading } from './meter-reading.ts';
import { appliedReadings, createMeterTotals, foldReadings, upsertMeterTotals } from './meter-totals.ts';
import { ResourceMeter } from './resource-meter.ts';
import { type ScenarioInput, type ScenarioSample, sampleOf } from './scenario.ts';
import { schemaDatabase } from './schema-database.ts';

/**
 * B′ — the projection upsert alone (what was called the database ceiling): the same N readings
 * written to the same projection with no Kafka and no decoding, but also no dedupe record and no
 * outbox: batches of the runtime's size, folded per meter, one `unnest` upsert per batch (its own
 * transaction), `writers` connections at once with the meters split between them (as partitions
 * split them for the runtime, so no writer waits on another's row locks). A lower bound of D's
 * database work, not a ceiling of it: B is.
 */
export async function runUpsertOnly(input: ScenarioInput): Promise<ScenarioSample> {
  const begun = performance.now();
  const db = await schemaDatabase(input.databaseUrl, input.schema, input.writers + 1);
  await createMeterTotals(db);
  const shards: MeterRead[][] = Array.from({ length: input.writers }, () => []);
  for (let i = 0; i < input.events; i++)
    shards[(i % input.keys) % input.writers]?.push(meterReading(i, input.keys));
  const startup = (performance.now() - begun) / 1000;

  const meter = new ResourceMeter();
  meter.start();
  const deadline = performance.now() + input.maxSeconds * 1000;
  let written = 0;
  await Promise.all(
    shards.map(async (shard) => {
      for (let i = 0; i < shard.length && performance.now() < deadline; i += input.batchSize) {
        const batch = shard.slice(i, i + input.batchSize);
        await upsertMeterTotals(db, foldReadings(batch));
        written += batch.length;
      }
    }),
  );
  const measured = meter.stop();
  const projectionReadings = await appliedReadings(db);
  await db.destroy();
  return sampleOf(written, input.events, startup, measured, {
    processedEvents: null,
    projectionReadings,
    outboxLeft: null,
  });
}
