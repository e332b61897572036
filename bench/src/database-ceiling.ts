import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { envelopeToHeaders, newEnvelope } from '@fleet/contracts';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { isMilestone, meterReading } from './meter-reading.ts';
import { appliedReadings, createMeterTotals } from './meter-totals.ts';
import { ResourceMeter } from './resource-meter.ts';
import { type ScenarioInput, type ScenarioSample, sampleOf } from './scenario.ts';
import { countRows, schemaDatabase } from './schema-database.ts';

/** One event as B writes it: the reading, its event ID and, for one in ten, its follow-on's outbox row. */
interface StagedEvent {
  eventId: string;
  meterId: string;
  seq: number;
  reading: number;
  producedAt: number;
  followOn: { eventId: string; headers: string; value: Buffer } | null;
}

/**
 * B — the database ceiling of D's writes: the same end state D leaves in Postgres (a dedupe record
 * per event, the projection, an outbox row per follow-on), written the fastest way we know, with no
 * Kafka, no decoding and no handler code: per batch, one transaction that COPYs the batch into a
 * temporary staging table and merges it with one statement (dedupe insert → the new events folded per
 * meter into the upsert → their follow-ons into the outbox). `writers` connections at once with the
 * meters split between them (as partitions split them for the runtime). The batch size is chosen by
 * measurement: each candidate writes a sample into a scratch schema first, the fastest is used.
 * The outbox is written, not relayed (publishing is Kafka's side): `outboxLeft` is N/10.
 */
export async function runDatabaseCeiling(input: ScenarioInput): Promise<ScenarioSample> {
  const begun = performance.now();
  const events = stagedEvents(input.events, input.keys);
  const shards = (list: StagedEvent[]) => {
    const out: StagedEvent[][] = Array.from({ length: input.writers }, () => []);
    list.forEach((e, i) => {
      out[(i % input.keys) % input.writers]?.push(e);
    });
    return out;
  };

  // The batch size, by measurement on a sample (each candidate in a fresh scratch schema).
  const candidates = input.batchSizeCandidates ?? [input.batchSize];
  const sample = events.slice(0, Math.min(events.length, 30_000));
  const sampleEventsPerSec: Record<string, number> = {};
  for (const size of candidates) {
    const scratch = `${input.schema}_cal${size}`;
    const db = await prepare(input.databaseUrl, scratch);
    const started = performance.now();
    await writeAll(
      input.databaseUrl,
      scratch,
      shards(sample),
      size,
      input.milestonesTopic,
      Number.POSITIVE_INFINITY,
    );
    sampleEventsPerSec[String(size)] = Math.round(sample.length / ((performance.now() - started) / 1000));
    await sql`drop schema ${sql.id(scratch)} cascade`.execute(db);
    await db.destroy();
  }
  const batchSize = Number(
    Object.entries(sampleEventsPerSec).sort((a, b) => b[1] - a[1])[0]?.[0] ?? input.batchSize,
  );

  const db = await prepare(input.databaseUrl, input.schema);
  const startup = (performance.now() - begun) / 1000;
  const meter = new ResourceMeter();
  meter.start();
  const written = await writeAll(
    input.databaseUrl,
    input.schema,
    shards(events),
    batchSize,
    input.milestonesTopic,
    performance.now() + input.maxSeconds * 1000,
  );
  const measured = meter.stop();
  const check = {
    processedEvents: await countRows(db, 'processed_events'),
    projectionReadings: await appliedReadings(db),
    outboxLeft: await countRows(db, 'outbox'),
  };
  await db.destroy();
  return {
    ...sampleOf(written, input.events, startup, measured, check),
    batchSizeChosen: { batchSize, sampleEventsPerSec },
  };
}

function stagedEvents(count: number, keys: number): StagedEvent[] {
  const out: StagedEvent[] = [];
  for (let i = 0; i < count; i++) {
    const r = meterReading(i, keys);
    const eventId = randomUUID();
    let followOn: StagedEvent['followOn'] = null;
    if (isMilestone(r)) {
      const id = randomUUID();
      const headers = envelopeToHeaders(
        newEnvelope({
          id,
          type: 'fleet.bench.MeterMilestone.v1',
          source: '/fleet/bench',
          subject: r.meterId,
          causationId: eventId,
        }),
      );
      // A framed JSON value of the follow-on's size (magic byte, schema id, JSON).
      const json = Buffer.from(JSON.stringify({ meterId: r.meterId, seq: r.seq, reading: r.reading }));
      const value = Buffer.concat([Buffer.from([0, 0, 0, 0, 1]), json]);
      followOn = { eventId: id, headers: JSON.stringify(headers), value };
    }
    out.push({
      eventId,
      meterId: r.meterId,
      seq: r.seq,
      reading: r.reading,
      producedAt: r.producedAt,
      followOn,
    });
  }
  return out;
}

/** The runtime's own tables (dedupe record, outbox) and the projection, in a fresh schema. */
async function prepare(url: string, schema: string): Promise<Kysely<unknown>> {
  const db = await schemaDatabase<unknown>(url, schema, 1);
  await sql`create table processed_events (
    event_id text primary key, processed_at timestamptz not null default now())`.execute(db);
  await sql`create index on processed_events (processed_at)`.execute(db);
  await sql`create table outbox (
    seq bigserial primary key, event_id uuid not null unique, topic text not null, key text,
    headers jsonb not null, value bytea not null, created_at timestamptz not null default now())`.execute(db);
  await createMeterTotals(db);
  return db;
}

/** COPY text format: backslash, tab, newline and carriage return escaped; `\N` is null. */
const copyText = (value: string) =>
  value.replaceAll('\\', '\\\\').replaceAll('\t', '\\t').replaceAll('\n', '\\n').replaceAll('\r', '\\r');

const MERGE = `
  with fresh as (
    insert into processed_events (event_id) select event_id from b_stage
    on conflict do nothing returning event_id),
  applied as (select s.* from b_stage s join fresh using (event_id)),
  folded as (
    select meter_id, count(*)::int as readings, sum(reading)::bigint as total, max(seq) as last_seq,
      (array_agg(reading order by seq desc))[1] as last_reading,
      (array_agg(produced_at order by seq desc))[1] as last_produced_at
    from applied group by meter_id),
  upserted as (
    insert into meter_totals (meter_id, readings, total, last_seq, last_reading, last_produced_at)
    select * from folded
    on conflict (meter_id) do update set
      readings = meter_totals.readings + excluded.readings,
      total = meter_totals.total + excluded.total,
      last_seq = greatest(meter_totals.last_seq, excluded.last_seq),
      last_reading = excluded.last_reading,
      last_produced_at = excluded.last_produced_at
    returning 1)
  insert into outbox (event_id, topic, key, headers, value)
  select fo_event_id, $1, meter_id, fo_headers, fo_value from applied where fo_event_id is not null`;

/** Every shard on a connection of its own, batch after batch; returns the events written. */
async function writeAll(
  url: string,
  schema: string,
  shards: StagedEvent[][],
  batchSize: number,
  topic: string,
  deadline: number,
): Promise<number> {
  // COPY needs the pg client itself: a pool of our own beside Kysely's, on the same schema.
  const pool = new pg.Pool({
    connectionString: url,
    max: shards.length,
    options: `-c search_path=${schema},public`,
  });
  let written = 0;
  try {
    await Promise.all(
      shards.map(async (shard) => {
        const client = await pool.connect();
        try {
          await client.query(`create temp table if not exists b_stage (
            event_id text, meter_id text, seq int, reading int, produced_at bigint,
            fo_event_id uuid, fo_headers jsonb, fo_value bytea) on commit delete rows`);
          for (let i = 0; i < shard.length && performance.now() < deadline; i += batchSize) {
            const batch = shard.slice(i, i + batchSize);
            await client.query('begin');
            try {
              await pipeline(
                Readable.from([copyRows(batch)]),
                client.query(copyFrom('copy b_stage from stdin')),
              );
              await client.query(MERGE, [topic]);
              await client.query('commit');
            } catch (error) {
              await client.query('rollback').catch(() => {});
              throw error;
            }
            written += batch.length;
          }
        } finally {
          client.release();
        }
      }),
    );
  } finally {
    await pool.end();
  }
  return written;
}

function copyRows(batch: StagedEvent[]): string {
  let text = '';
  for (const e of batch) {
    const f = e.followOn;
    text += `${e.eventId}\t${copyText(e.meterId)}\t${e.seq}\t${e.reading}\t${e.producedAt}\t${
      f ? `${f.eventId}\t${copyText(f.headers)}\t\\\\x${f.value.toString('hex')}` : '\\N\t\\N\t\\N'
    }\n`;
  }
  return text;
}
