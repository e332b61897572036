import { readTopic } from '@fleet/testkit';
import type { Admin, Kafka } from 'kafkajs';
import { type Kysely, sql } from 'kysely';
import { isMilestone, meterReading } from './meter-reading.ts';
import type { Backlog } from './scale-out-backlog.ts';

export interface Check {
  name: string;
  expected: number;
  actual: number;
  /** 0 = as the oracle says; anything else is a lost, doubled or unexpected effect. */
  mismatches: number;
  detail?: string;
}

export interface Correctness {
  ok: boolean;
  checks: Check[];
  /** Records delivered again after a rebalance (applied sub-batch records beyond N): the dedupe skipped them. */
  redelivered: number;
  /** Events handed to a handler beyond N (a rolled-back sub-batch handled again); not an effect. */
  handlerRepeats: number;
  /** Follow-on records beyond one per ID on the wire (the relay is at-least-once; IDs are stable). */
  followOnWireDuplicates: number;
}

export interface MeterExpectation {
  readings: number;
  total: number;
  lastSeq: number;
}

/** The projection every meter must end with, and the follow-ons (meter, seq) due: from the event numbers alone. */
export function expectedState(events: number, keys: number) {
  const meters = new Map<string, MeterExpectation>();
  const milestones = new Set<string>();
  for (let i = 0; i < events; i++) {
    const r = meterReading(i, keys, 0);
    const m = meters.get(r.meterId) ?? { readings: 0, total: 0, lastSeq: -1 };
    m.readings += 1;
    m.total += r.reading;
    m.lastSeq = Math.max(m.lastSeq, r.seq);
    meters.set(r.meterId, m);
    if (isMilestone(r)) milestones.add(`${r.meterId}#${r.seq}`);
  }
  return { meters, milestones };
}

export interface VerifyInput {
  backlog: Backlog;
  /** A pool on the run's schema. */
  db: Kysely<unknown>;
  kafka: Kafka;
  admin: Admin;
  groupId: string;
  /** Each instance's report: records in the sub-batches it applied, events it handed to its handler. */
  reports: readonly { records: number; fresh: number }[];
}

/** Compares what the run left (dedupe table, projection, follow-ons, offsets) with the oracle. */
export async function verifyScaleOutRun(v: VerifyInput): Promise<Correctness> {
  const { backlog } = v;
  const want = expectedState(backlog.events, backlog.keys);
  const checks: Check[] = [];

  const { rows: processed } = await sql<{ event_id: string }>`select event_id from processed_events`.execute(
    v.db,
  );
  const produced = new Set(backlog.ids);
  const recorded = new Set(processed.map((r) => r.event_id));
  const missing = backlog.ids.filter((id) => !recorded.has(id)).length;
  const unexpected = [...recorded].filter((id) => !produced.has(id)).length;
  checks.push({
    name: 'dedupe records = event IDs produced (missing + unexpected)',
    expected: produced.size,
    actual: recorded.size,
    mismatches: missing + unexpected,
    ...(missing + unexpected ? { detail: `${missing} missing, ${unexpected} unexpected` } : {}),
  });

  const { rows: totals } = await sql<{ meter_id: string; readings: number; total: string; last_seq: number }>`
    select meter_id, readings, total, last_seq from meter_totals`.execute(v.db);
  const got = new Map(totals.map((r) => [r.meter_id, r]));
  let lost = 0;
  let doubled = 0;
  let badMeters = 0;
  for (const meter of new Set([...want.meters.keys(), ...got.keys()])) {
    const w = want.meters.get(meter) ?? { readings: 0, total: 0, lastSeq: -1 };
    const g = got.get(meter);
    const readings = g?.readings ?? 0;
    if (readings < w.readings) lost += w.readings - readings;
    if (readings > w.readings) doubled += readings - w.readings;
    if (readings !== w.readings || Number(g?.total ?? 0) !== w.total || (g?.last_seq ?? -1) !== w.lastSeq)
      badMeters++;
  }
  checks.push({
    name: 'projection: meters whose count, sum or last seq differ',
    expected: want.meters.size,
    actual: want.meters.size - badMeters,
    mismatches: badMeters,
  });
  checks.push({
    name: 'projection: events applied twice + events lost',
    expected: backlog.events,
    actual: totals.reduce((n, r) => n + r.readings, 0),
    mismatches: lost + doubled,
    ...(lost + doubled ? { detail: `${doubled} applied twice, ${lost} lost` } : {}),
  });

  const { rows: outbox } = await sql<{ n: number }>`select count(*)::int as n from outbox`.execute(v.db);
  checks.push({
    name: 'outbox rows left',
    expected: 0,
    actual: outbox[0]?.n ?? 0,
    mismatches: outbox[0]?.n ?? 0,
  });

  const followOns = await readTopic(v.kafka, v.admin, backlog.topics.contracts.milestones.name);
  const ids = new Set<string>();
  const seen = new Set<string>();
  for (const r of followOns) {
    ids.add(r.headers.ce_id ?? '');
    if (!r.value) continue;
    const m = await backlog.topics.codec.decode(r.value, backlog.topics.contracts.MeterMilestone);
    seen.add(`${m.meterId}#${m.seq}`);
  }
  const followOnsMissing = [...want.milestones].filter((k) => !seen.has(k)).length;
  const followOnsUnexpected = [...seen].filter((k) => !want.milestones.has(k)).length;
  checks.push({
    name: 'follow-ons: (meter, seq) missing + unexpected; distinct IDs ≠ expected',
    expected: want.milestones.size,
    actual: seen.size,
    mismatches: followOnsMissing + followOnsUnexpected + Math.abs(ids.size - want.milestones.size),
  });

  // Transaction markers sit after the data records, so "caught up" is: committed past every record sent.
  const [committed] = await v.admin.fetchOffsets({ groupId: v.groupId, topics: [backlog.topic] });
  const offsets = new Map(
    committed?.partitions.map((p) => [p.partition, Math.max(0, Number(p.offset))]) ?? [],
  );
  const behind = backlog.perPartition.reduce(
    (n, sent, p) => n + Math.max(0, sent - (offsets.get(p) ?? 0)),
    0,
  );
  checks.push({
    name: 'records not committed by the group',
    expected: 0,
    actual: behind,
    mismatches: behind,
  });

  return {
    ok: checks.every((c) => c.mismatches === 0),
    checks,
    redelivered: v.reports.reduce((n, r) => n + r.records, 0) - backlog.events,
    handlerRepeats: v.reports.reduce((n, r) => n + r.fresh, 0) - backlog.events,
    followOnWireDuplicates: followOns.length - ids.size,
  };
}
