import { createSchemaRegistry } from '@fleet/contracts';
import { infraSettings, testKafka } from '@fleet/testkit';
import { sql } from 'kysely';
import pg from 'pg';
import type { MeterRead } from './bench-contracts.ts';
import { consumerCompletion } from './consumer-completion.ts';
import { appliedReadings, createMeterTotals, upsertOneMeterSql } from './meter-totals.ts';
import { ResourceMeter } from './resource-meter.ts';
import { type ScenarioInput, type ScenarioSample, sampleOf } from './scenario.ts';
import { countRows, schemaDatabase } from './schema-database.ts';
import { untilOrTimeout } from './until-or-timeout.ts';

/**
 * C — the usual tutorial processor: `eachMessage`, the registry client decodes (and validates with
 * Ajv), one transaction per event with a dedupe insert and the projection upsert, offsets
 * auto-committed by kafkajs. Correct (idempotent), just one event at a time.
 * C′ — the same with D's partition concurrency (`partitionsConsumedConcurrently` = the runtime's
 * default, a pool as large): still one transaction per event, but that many partitions at once, so
 * D/C′ is what batching buys and C′/C what concurrency buys.
 */
export async function runNaiveProcessor(input: ScenarioInput): Promise<ScenarioSample> {
  const begun = performance.now();
  const db = await schemaDatabase(input.databaseUrl, input.schema, 1);
  await sql`create table processed_events (
    event_id text primary key, processed_at timestamptz not null default now())`.execute(db);
  await sql`create index on processed_events (processed_at)`.execute(db);
  await createMeterTotals(db);
  const concurrency = input.scenario === 'C2' ? input.writers : 1;
  const pool = new pg.Pool({
    connectionString: input.databaseUrl,
    max: concurrency,
    options: `-c search_path=${input.schema},public`,
  });
  const registry = createSchemaRegistry(infraSettings().schemaRegistryUrl);
  const consumer = testKafka('bench-c').consumer({ groupId: input.groupId });
  const meter = new ResourceMeter();
  let startup = 0;
  let applied = 0;
  const { finished, finish } = consumerCompletion(consumer);
  await consumer.connect();
  await consumer.subscribe({ topic: input.readingsTopic, fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: concurrency,
    eachMessage: async ({ message }) => {
      if (!meter.started) {
        startup = (performance.now() - begun) / 1000;
        meter.start();
      }
      const eventId = message.headers?.ce_id?.toString();
      const data = (await registry.decode(message.value as Buffer)) as MeterRead;
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const inserted = await client.query(
          'insert into processed_events (event_id) values ($1) on conflict do nothing',
          [eventId],
        );
        if (inserted.rowCount === 1)
          await client.query(upsertOneMeterSql, [
            data.meterId,
            data.reading,
            data.seq,
            data.reading,
            data.producedAt,
          ]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      } finally {
        client.release();
      }
      applied++;
      if (applied >= input.events) finish();
    },
  });
  await untilOrTimeout(finished, input.maxSeconds);
  const measured = meter.stop();
  await consumer.disconnect();
  await pool.end();
  const check = {
    processedEvents: await countRows(db, 'processed_events'),
    projectionReadings: await appliedReadings(db),
    outboxLeft: null,
  };
  await db.destroy();
  return sampleOf(applied, input.events, startup, measured, check);
}
