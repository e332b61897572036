import type { EventCodec, EventType } from '@fleet/contracts';
import { fetchGroupLag } from '@fleet/processor';
import type { TopicRecord } from '@fleet/testkit';
import type { Admin } from 'kafkajs';
import { type Kysely, sql } from 'kysely';
import type { ChaosOracle, ExpectedNotice } from './chaos-oracle.ts';
import type { Check } from './chaos-summary.ts';

export interface LedgerTables {
  balances: { account_id: string; balance: string; applied: number };
  history: { n: string; account_id: string; seq: number; amount: number };
  processed_events: { event_id: string };
  outbox: { seq: string };
}

export interface VerifyInput {
  oracle: ChaosOracle;
  db: Kysely<LedgerTables>;
  admin: Admin;
  codec: EventCodec;
  balanceChanged: EventType<ExpectedNotice>;
  groupId: string;
  accountsTopic: string;
  /** Everything on the input, dead-letter and notices topics once idle. */
  accounts: TopicRecord[];
  deadLetters: TopicRecord[];
  notices: TopicRecord[];
}

export interface Verification {
  checks: Check[];
  dlq: { distinct: number; expected: number; records: number; extraCopies: number };
  notices: { expected: number; distinct: number; records: number; wireDuplicates: number };
}

/** Compares what the ledger, its topics and its group hold with the oracle; every difference counts. */
export async function verifyRun(v: VerifyInput): Promise<Verification> {
  const { oracle } = v;
  const checks: Check[] = [];

  // Balances: every row equal, none missing, none extra.
  const balanceRows = await v.db.selectFrom('balances').selectAll().execute();
  const balances = new Map(
    balanceRows.map((r) => [r.account_id, { balance: Number(r.balance), applied: r.applied }]),
  );
  let balanceDiff = 0;
  const badAccounts: string[] = [];
  for (const account of new Set([...oracle.balances.keys(), ...balances.keys()])) {
    const want = oracle.balances.get(account);
    const got = balances.get(account);
    if (want?.balance !== got?.balance || want?.applied !== got?.applied) {
      balanceDiff++;
      badAccounts.push(account);
    }
  }
  checks.push({
    name: 'balance rows',
    expected: oracle.balances.size,
    actual: balances.size,
    mismatches: balanceDiff,
    ...(badAccounts.length ? { detail: `e.g. ${badAccounts.slice(0, 3).join(', ')}` } : {}),
  });

  // History: the multiset of (account, seq, amount), then the per-account row order.
  const historyRows = await v.db.selectFrom('history').selectAll().orderBy('n').execute();
  const history = new Map<string, { seq: number; amount: number }[]>();
  for (const r of historyRows) {
    const h = history.get(r.account_id) ?? [];
    h.push({ seq: r.seq, amount: r.amount });
    history.set(r.account_id, h);
  }
  let multisetDiff = 0;
  let orderDiff = 0;
  const expectedRows = [...oracle.history.values()].reduce((n, h) => n + h.length, 0);
  for (const account of new Set([...oracle.history.keys(), ...history.keys()])) {
    const want = (oracle.history.get(account) ?? []).map((h) => `${h.seq}:${h.amount}`);
    const got = (history.get(account) ?? []).map((h) => `${h.seq}:${h.amount}`);
    const counts = new Map<string, number>();
    for (const w of want) counts.set(w, (counts.get(w) ?? 0) + 1);
    for (const g of got) counts.set(g, (counts.get(g) ?? 0) - 1);
    const diff = [...counts.values()].reduce((n, c) => n + Math.abs(c), 0);
    multisetDiff += diff;
    if (diff === 0 && want.join() !== got.join()) orderDiff++;
  }
  checks.push({
    name: 'history rows (multiset)',
    expected: expectedRows,
    actual: historyRows.length,
    mismatches: multisetDiff,
  });
  checks.push({
    name: 'history order per account (arrival order)',
    expected: oracle.history.size,
    actual: oracle.history.size - orderDiff,
    mismatches: orderDiff,
  });

  const { rows: dedupe } = await sql<{ n: number }>`select count(*)::int as n from processed_events`.execute(
    v.db,
  );
  const applied = dedupe[0]?.n ?? 0;
  checks.push({
    name: 'dedupe records (applied event IDs)',
    expected: oracle.applied,
    actual: applied,
    mismatches: Math.abs(applied - oracle.applied),
  });

  // Dead letters: every poison/undecodable ID, with the right reason; nothing else.
  const wireCopies = new Map<string, number>();
  for (const r of v.accounts) {
    const id = r.headers.ce_id;
    if (id && oracle.deadLetters.has(id)) wireCopies.set(id, (wireCopies.get(id) ?? 0) + 1);
  }
  const dlqCopies = new Map<string, number>();
  let wrongReason = 0;
  for (const r of v.deadLetters) {
    const id = r.headers.ce_id ?? '(no ce_id)';
    dlqCopies.set(id, (dlqCopies.get(id) ?? 0) + 1);
    const code = r.headers.dlq_error_code;
    const want = oracle.deadLetters.get(id);
    if (want === 'poison' && code !== 'HANDLER_FAILED') wrongReason++;
    if (want === 'undecodable' && code === 'HANDLER_FAILED') wrongReason++;
  }
  const dlqMissing = [...oracle.deadLetters.keys()].filter((id) => !dlqCopies.has(id)).length;
  const dlqUnexpected = [...dlqCopies.keys()].filter((id) => !oracle.deadLetters.has(id)).length;
  const extraCopies = [...dlqCopies].reduce(
    (n, [id, c]) => n + Math.max(0, c - (wireCopies.get(id) ?? 1)),
    0,
  );
  checks.push({
    name: 'dead letters by ce_id (missing + unexpected + wrong reason)',
    expected: oracle.deadLetters.size,
    actual: [...dlqCopies.keys()].filter((id) => oracle.deadLetters.has(id)).length,
    mismatches: dlqMissing + dlqUnexpected + wrongReason,
    ...(dlqMissing + dlqUnexpected + wrongReason > 0
      ? { detail: `${dlqMissing} missing, ${dlqUnexpected} unexpected, ${wrongReason} wrong reason` }
      : {}),
  });

  // Follow-on events: every expected ID, nothing else, each copy carrying the oracle's payload.
  const noticeCopies = new Map<string, number>();
  let payloadDiff = 0;
  const badPayload = new Set<string>();
  for (const r of v.notices) {
    const id = r.headers.ce_id ?? '(no ce_id)';
    noticeCopies.set(id, (noticeCopies.get(id) ?? 0) + 1);
    const want = v.oracle.notices.get(id);
    if (!want || !r.value) continue;
    const got = await v.codec.decode(r.value, v.balanceChanged);
    if (got.accountId !== want.accountId || got.balance !== want.balance || got.seq !== want.seq)
      badPayload.add(id);
  }
  payloadDiff = badPayload.size;
  const noticesMissing = [...oracle.notices.keys()].filter((id) => !noticeCopies.has(id)).length;
  const noticesUnexpected = [...noticeCopies.keys()].filter((id) => !oracle.notices.has(id)).length;
  checks.push({
    name: 'follow-on IDs on the notices topic (missing + unexpected)',
    expected: oracle.notices.size,
    actual: [...noticeCopies.keys()].filter((id) => oracle.notices.has(id)).length,
    mismatches: noticesMissing + noticesUnexpected,
  });
  checks.push({
    name: 'follow-on payloads (balance at that point of the account)',
    expected: oracle.notices.size,
    actual: noticeCopies.size - payloadDiff,
    mismatches: payloadDiff,
  });

  const { rows: outbox } = await sql<{ n: number }>`select count(*)::int as n from outbox`.execute(v.db);
  const outboxLeft = outbox[0]?.n ?? 0;
  checks.push({ name: 'outbox rows left', expected: 0, actual: outboxLeft, mismatches: outboxLeft });

  const lag = (await fetchGroupLag(v.admin, v.groupId, [v.accountsTopic])).reduce((n, l) => n + l.lag, 0);
  checks.push({ name: 'consumer lag', expected: 0, actual: lag, mismatches: lag });

  return {
    checks,
    dlq: {
      distinct: dlqCopies.size,
      expected: oracle.deadLetters.size,
      records: v.deadLetters.length,
      extraCopies,
    },
    notices: {
      expected: oracle.notices.size,
      distinct: noticeCopies.size,
      records: v.notices.length,
      wireDuplicates: v.notices.length - noticeCopies.size,
    },
  };
}
