import { setTimeout as sleep } from 'node:timers/promises';
import type { Producer } from 'kafkajs';
import { type Kysely, sql } from 'kysely';
import type { BenchTopics } from './bench-topics.ts';
import { readingMessage } from './produce-readings.ts';

export interface LatencyOptions {
  producer: Producer;
  topics: BenchTopics;
  /** Reads the processor's schema. */
  db: Kysely<unknown>;
  keys: number;
  rate: number;
  seconds: number;
}

export interface LatencySamples {
  /** Due time (the schedule's, stamped in the payload) → row visible to a reader, per event, in ms. */
  latenciesMs: number[];
  /** How late each send left against its due time (timer resolution, a busy event loop). */
  sendLagMs: number[];
  produced: number;
  missing: number;
  /** Mean time between two visibility polls: the measurement's resolution. */
  pollIntervalMs: number;
  /** Postgres transactions committed in the database during the steady phase, less the probe's own polls. */
  transactions: number;
}

const committed = async (db: Kysely<unknown>) => {
  const { rows } = await sql<{ n: string }>`
    select xact_commit as n from pg_stat_database where datname = current_database()`.execute(db);
  return Number(rows[0]?.n ?? 0);
};

interface Pending {
  meterId: string;
  seq: number;
  /** Epoch ms the event was due (open loop), stamped in its payload as `producedAt`. */
  dueAt: number;
}

/**
 * Produces on an open-loop schedule and polls the projection for the meters with events in flight:
 * an event is visible once its meter's `last_seq` reached its seq. Event i is due at start + i / rate;
 * it is stamped with that time (not with when it was built or sent) and sent as soon as it is due,
 * without waiting for earlier sends to be acknowledged, so a slow send or a stalled processor makes
 * the events behind it late by the schedule instead of delaying their stamps (no coordinated
 * omission). Starts with one warm-up event (waits for the group to join and the first commit).
 */
export async function measureLatency(o: LatencyOptions): Promise<LatencySamples> {
  const pending = new Map<number, Pending>();
  const latenciesMs: number[] = [];
  const sendLagMs: number[] = [];
  let polls = 0;
  // Every poll is a transaction too; warm-up polls are counted before `committedBefore`.
  let producing = true;
  const inFlight = new Set<Promise<unknown>>();
  let sendError: unknown;
  const send = (from: number, to: number, dueAt: (i: number) => number) => {
    const messages = [];
    for (let i = from; i < to; i++) {
      const due = dueAt(i);
      const message = readingMessage(o.topics, i, o.keys, due);
      messages.push(message);
      pending.set(i, { meterId: String(message.key), seq: Math.floor(i / o.keys), dueAt: due });
    }
    const sent = o.producer.send({ topic: o.topics.readingsTopic, messages, acks: -1 }).catch((error) => {
      sendError ??= error;
    });
    inFlight.add(sent);
    void sent.finally(() => inFlight.delete(sent));
    return sent;
  };
  const poll = async (record: boolean) => {
    const meters = [...new Set([...pending.values()].map((p) => p.meterId))];
    if (meters.length === 0) return;
    const snapshotAt = Date.now();
    const { rows } = await sql<{ meter_id: string; last_seq: number }>`
      select meter_id, last_seq from meter_totals where meter_id = any(${meters}::text[])`.execute(o.db);
    polls++;
    const lastSeq = new Map(rows.map((r) => [r.meter_id, r.last_seq]));
    for (const [i, p] of pending) {
      const seen = lastSeq.get(p.meterId);
      if (seen !== undefined && seen >= p.seq) {
        pending.delete(i);
        if (record) latenciesMs.push(Math.max(0, snapshotAt - p.dueAt));
      }
    }
  };

  // Warm-up: the first event waits for the group to join; not a latency sample.
  await send(0, 1, () => Date.now());
  const warmDeadline = Date.now() + 60_000;
  while (pending.size > 0 && Date.now() < warmDeadline) {
    await poll(false);
    await sleep(20);
  }
  if (pending.size > 0) throw new Error('the processor did not apply the warm-up event within 60 s');

  const total = Math.round(o.rate * o.seconds);
  const committedBefore = await committed(o.db);
  const pollStarted = performance.now();
  const poller = (async () => {
    while (producing || pending.size > 0) {
      await poll(true);
      await sleep(2);
      if (!producing && performance.now() - pollStarted > (o.seconds + 15) * 1000) break;
    }
  })();
  // Event i (1..total) is due (i - 1) / rate seconds after the start, on the epoch clock.
  const startedEpoch = Date.now();
  const started = performance.now();
  const dueAt = (i: number) => Math.round(startedEpoch + ((i - 1) * 1000) / o.rate); // an integer, as the schema wants
  let sent = 1;
  while (sent < total + 1) {
    const now = performance.now();
    const due = Math.min(total + 1, 1 + Math.floor(((now - started) / 1000) * o.rate) + 1);
    if (due > sent) {
      const nowEpoch = startedEpoch + (now - started);
      for (let i = sent; i < due; i++) sendLagMs.push(Math.max(0, nowEpoch - dueAt(i)));
      send(sent, due, dueAt);
      sent = due;
    }
    // Until the next event is due (≥ 1 ms: the timer's resolution).
    await sleep(Math.max(1, Math.floor(started + ((sent - 1) * 1000) / o.rate - performance.now())));
  }
  await Promise.all([...inFlight]);
  if (sendError) throw sendError;
  producing = false;
  await poller;
  await sleep(1_500); // Postgres publishes its counters about once a second
  const transactions = (await committed(o.db)) - committedBefore - polls - 1;
  return {
    transactions,
    latenciesMs,
    sendLagMs,
    produced: total,
    missing: pending.size,
    pollIntervalMs: polls > 0 ? (performance.now() - pollStarted) / polls : 0,
  };
}

/** Nearest-rank percentile of unsorted values. */
export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? null;
}
