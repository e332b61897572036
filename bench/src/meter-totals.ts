import { type Kysely, sql } from 'kysely';
import type { MeterRead } from './bench-contracts.ts';

/** The projection every scenario that writes builds: one row per meter. */
export interface MeterTotalsDb {
  meter_totals: {
    meter_id: string;
    readings: number;
    total: string;
    last_seq: number;
    last_reading: number;
    last_produced_at: string;
  };
}

export interface MeterTotalsRow {
  meterId: string;
  readings: number;
  total: number;
  lastSeq: number;
  lastReading: number;
  lastProducedAt: number;
}

export async function createMeterTotals(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('meter_totals')
    .ifNotExists()
    .addColumn('meter_id', 'text', (c) => c.primaryKey())
    .addColumn('readings', 'integer', (c) => c.notNull())
    .addColumn('total', 'bigint', (c) => c.notNull())
    .addColumn('last_seq', 'integer', (c) => c.notNull())
    .addColumn('last_reading', 'integer', (c) => c.notNull())
    .addColumn('last_produced_at', 'bigint', (c) => c.notNull())
    .execute();
}

/** Folds readings per meter, in order: one row per key for the upsert (the last reading wins). */
export function foldReadings(readings: Iterable<MeterRead>): MeterTotalsRow[] {
  const rows = new Map<string, MeterTotalsRow>();
  for (const r of readings) {
    const row = rows.get(r.meterId);
    if (!row)
      rows.set(r.meterId, {
        meterId: r.meterId,
        readings: 1,
        total: r.reading,
        lastSeq: r.seq,
        lastReading: r.reading,
        lastProducedAt: r.producedAt,
      });
    else {
      row.readings += 1;
      row.total += r.reading;
      row.lastSeq = r.seq;
      row.lastReading = r.reading;
      row.lastProducedAt = r.producedAt;
    }
  }
  return [...rows.values()];
}

/** One statement for many meters: a multi-row upsert from `unnest` arrays (six parameters, any row count). */
export async function upsertMeterTotals(db: Kysely<unknown>, rows: MeterTotalsRow[]): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    insert into meter_totals (meter_id, readings, total, last_seq, last_reading, last_produced_at)
    select * from unnest(
      ${rows.map((r) => r.meterId)}::text[],
      ${rows.map((r) => r.readings)}::int[],
      ${rows.map((r) => r.total)}::bigint[],
      ${rows.map((r) => r.lastSeq)}::int[],
      ${rows.map((r) => r.lastReading)}::int[],
      ${rows.map((r) => r.lastProducedAt)}::bigint[])
    on conflict (meter_id) do update set
      readings = meter_totals.readings + excluded.readings,
      total = meter_totals.total + excluded.total,
      last_seq = greatest(meter_totals.last_seq, excluded.last_seq),
      last_reading = excluded.last_reading,
      last_produced_at = excluded.last_produced_at`.execute(db);
}

/** The single-row form of the same upsert, as a tutorial processor writes it (pg placeholders). */
export const upsertOneMeterSql = `
  insert into meter_totals (meter_id, readings, total, last_seq, last_reading, last_produced_at)
  values ($1, 1, $2, $3, $4, $5)
  on conflict (meter_id) do update set
    readings = meter_totals.readings + 1,
    total = meter_totals.total + excluded.total,
    last_seq = greatest(meter_totals.last_seq, excluded.last_seq),
    last_reading = excluded.last_reading,
    last_produced_at = excluded.last_produced_at`;

/** How many readings the projection has applied (its `readings` summed). */
export async function appliedReadings(db: Kysely<unknown>): Promise<number> {
  const { rows } = await sql<{ n: string | null }>`select sum(readings) as n from meter_totals`.execute(db);
  return Number(rows[0]?.n ?? 0);
}
