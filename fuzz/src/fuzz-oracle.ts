import type { IHeaders } from 'kafkajs';
import type { FuzzRecord, Movement } from './build-records.ts';

/** A dead letter as the DLQ holds it: bytes untouched (header values as Buffers). */
export interface RawRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
}

export interface Observed {
  deadLetters: RawRecord[];
  balances: Map<string, { balance: number; applied: number }>;
  historyRows: number;
  appliedIds: Set<string>;
}

export interface Verdict {
  violations: string[];
  /** Per record kind: how many were sent, applied, dead-lettered, skipped. */
  outcomes: Record<string, { sent: number; applied: number; dead: number; skipped: number }>;
  /** Dead letters by their `dlq_error_code`. */
  reasons: Record<string, number>;
}

const coordinate = (partition: number | string, offset: string) => `${partition}:${offset}`;

/**
 * Checks the run against the input alone: every record applied exactly once or dead-lettered byte for
 * byte as its kind allows, nothing else in the DLQ, and the projection equal to the movements that
 * were applied, each once.
 */
export function verifyRun(records: FuzzRecord[], offsets: Map<number, string>, observed: Observed): Verdict {
  const violations: string[] = [];
  const outcomes: Verdict['outcomes'] = {};
  const reasons: Record<string, number> = {};
  const sentAt = new Map<string, FuzzRecord>();
  for (const r of records) sentAt.set(coordinate(r.partition, offsets.get(r.index) ?? '?'), r);

  const dead = new Set<string>();
  for (const letter of observed.deadLetters) {
    const at = coordinate(text(letter.headers.dlq_source_partition), text(letter.headers.dlq_source_offset));
    const code = text(letter.headers.dlq_error_code);
    reasons[code] = (reasons[code] ?? 0) + 1;
    const original = sentAt.get(at);
    if (!original) violations.push(`dead letter for ${at}, which was never sent`);
    else if (dead.has(at)) violations.push(`record #${original.index} (${at}) dead-lettered twice`);
    else violations.push(...sameBytes(original, letter));
    dead.add(at);
  }

  const seen = new Set<string>();
  const applied: Movement[] = [];
  for (const r of records) {
    const isDead = dead.has(coordinate(r.partition, offsets.get(r.index) ?? '?'));
    const o = outcomes[r.kind] ?? { sent: 0, applied: 0, dead: 0, skipped: 0 };
    outcomes[r.kind] = o;
    o.sent++;
    const allowed =
      r.expect === 'dead' ||
      r.expect === 'applied-or-dead' ||
      r.expect === 'skipped-or-dead' ||
      (!isDead && ['applied', 'duplicate', 'skipped'].includes(r.expect));
    if (!allowed) violations.push(`record #${r.index} (${r.kind}) was dead-lettered; it must be ${r.expect}`);
    if (r.expect === 'dead' && !isDead) violations.push(`record #${r.index} (${r.kind}) is not in the DLQ`);
    if (isDead) {
      o.dead++;
      continue;
    }
    if (!r.movement || r.expect === 'skipped' || r.expect === 'skipped-or-dead' || seen.has(r.movement.id)) {
      o.skipped++;
      continue;
    }
    seen.add(r.movement.id);
    applied.push(r.movement);
    o.applied++;
  }

  const expected = new Map<string, { balance: number; applied: number }>();
  for (const m of applied) {
    const b = expected.get(m.accountId) ?? { balance: 0, applied: 0 };
    expected.set(m.accountId, {
      balance: b.balance + (m.type === 'Deposited' ? m.amount : -m.amount),
      applied: b.applied + 1,
    });
  }
  for (const [account, want] of expected) {
    const got = observed.balances.get(account);
    if (!got || got.balance !== want.balance || got.applied !== want.applied)
      violations.push(
        `balance of ${JSON.stringify(account).slice(0, 60)}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`,
      );
  }
  for (const account of observed.balances.keys())
    if (!expected.has(account))
      violations.push(`unexpected balance row ${JSON.stringify(account).slice(0, 60)}`);
  if (observed.historyRows !== applied.length)
    violations.push(`history has ${observed.historyRows} rows, ${applied.length} movements were applied`);
  const appliedIds = new Set(applied.map((m) => m.id));
  for (const id of observed.appliedIds)
    if (!appliedIds.has(id))
      violations.push(`event ${JSON.stringify(id).slice(0, 80)} recorded as applied, expected not`);
  for (const id of appliedIds)
    if (!observed.appliedIds.has(id))
      violations.push(`event ${JSON.stringify(id).slice(0, 80)} not recorded as applied`);
  return { violations, outcomes, reasons };
}

/** The dead letter holds the original key, value and every original header, byte for byte. */
function sameBytes(original: FuzzRecord, letter: RawRecord): string[] {
  const problems: string[] = [];
  const where = `dead letter of record #${original.index} (${original.kind})`;
  if (letter.headers.dlq_original_omitted !== undefined)
    return [`${where} omits the original: ${text(letter.headers.dlq_original_omitted)}`];
  if (!equalBytes(original.key, letter.key)) problems.push(`${where}: key differs`);
  if (!equalBytes(original.value, letter.value)) problems.push(`${where}: value differs`);
  for (const [name, value] of Object.entries(original.headers)) {
    const want = values(value);
    const got = values(letter.headers[name]);
    if (want.length !== got.length || want.some((w, i) => !equalBytes(w, got[i] ?? null)))
      problems.push(`${where}: header ${JSON.stringify(name)} differs`);
  }
  for (const name of Object.keys(letter.headers))
    if (!(name in original.headers) && !name.startsWith('dlq_'))
      problems.push(`${where}: header ${JSON.stringify(name)} was not on the original`);
  return problems;
}

function values(value: IHeaders[string]): Buffer[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map((v) => (typeof v === 'string' ? Buffer.from(v) : v));
}

// kafkajs reads an empty key or value back as an empty buffer or null alike.
function equalBytes(a: Buffer | null, b: Buffer | null): boolean {
  return (a ?? Buffer.alloc(0)).equals(b ?? Buffer.alloc(0));
}

function text(value: IHeaders[string]): string {
  return values(value)[0]?.toString('utf8') ?? '';
}
