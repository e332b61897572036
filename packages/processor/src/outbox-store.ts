import { type Kysely, sql, type Transaction } from 'kysely';

/** A follow-on event, encoded, waiting in the outbox. */
export interface OutboxMessage {
  eventId: string;
  topic: string;
  key: string | null;
  headers: Record<string, string>;
  value: Buffer;
}

export interface OutboxRow extends OutboxMessage {
  seq: string;
}

/** One statement for all follow-ons of a sub-batch, in the transaction that applied their causes. */
export async function insertOutbox(trx: Transaction<unknown>, messages: OutboxMessage[]): Promise<void> {
  if (messages.length === 0) return;
  await sql`
    insert into outbox (event_id, topic, key, headers, value)
    select * from unnest(
      ${messages.map((m) => m.eventId)}::uuid[],
      ${messages.map((m) => m.topic)}::text[],
      ${messages.map((m) => m.key)}::text[],
      ${messages.map((m) => JSON.stringify(m.headers))}::jsonb[],
      ${messages.map((m) => m.value)}::bytea[])`.execute(trx);
}

export async function oldestOutboxRows(trx: Transaction<unknown>, limit: number): Promise<OutboxRow[]> {
  const { rows } = await sql<{
    seq: string;
    event_id: string;
    topic: string;
    key: string | null;
    headers: Record<string, string>;
    value: Buffer;
  }>`select seq, event_id, topic, key, headers, value from outbox order by seq limit ${limit}`.execute(trx);
  return rows.map((r) => ({
    seq: r.seq,
    eventId: r.event_id,
    topic: r.topic,
    key: r.key,
    headers: r.headers,
    value: r.value,
  }));
}

export async function deleteOutboxRows(trx: Transaction<unknown>, seqs: string[]): Promise<void> {
  await sql`delete from outbox where seq = any(${seqs}::bigint[])`.execute(trx);
}

export async function outboxBacklog(
  db: Kysely<unknown>,
): Promise<{ count: number; oldestAgeSeconds: number }> {
  const { rows } = await sql<{ count: number; age: number | null }>`
    select count(*)::int as count, extract(epoch from now() - min(created_at))::float8 as age from outbox`.execute(
    db,
  );
  return { count: rows[0]?.count ?? 0, oldestAgeSeconds: rows[0]?.age ?? 0 };
}
