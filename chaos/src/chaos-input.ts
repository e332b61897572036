import type { SeededRandom } from './seeded-random.ts';

export const POISON_AMOUNT = 666; // the ledger's poison rule (packages/processor/test/ledger.ts)

export type MovementType = 'Deposited' | 'Withdrawn';

export interface InputEvent {
  id: string;
  type: MovementType;
  data: { accountId: string; amount: number; seq: number };
}

/** One record of the stream, in the order it is sent (= offset order within its partition). */
export type InputRecord =
  | { kind: 'event'; event: InputEvent }
  /** The same event (ID and payload) again, at a later offset. */
  | { kind: 'duplicate'; event: InputEvent }
  /** Valid CloudEvents headers of a routed type, garbage bytes as the value. */
  | { kind: 'undecodable'; id: string; type: MovementType; accountId: string; value: Buffer };

export interface ChaosInput {
  records: InputRecord[];
  stats: {
    records: number;
    uniqueEvents: number;
    duplicates: number;
    outOfOrderPairs: number;
    poison: number;
    undecodable: number;
    accounts: number;
  };
}

export interface InputShape {
  events: number;
  accounts: number;
  duplicateRate: number;
  outOfOrderRate: number;
  poison: number;
  undecodable: number;
}

/**
 * The whole stream, from the seed alone. Per account, `seq` numbers movements in the order they
 * were issued. "Out of order" here means a record whose seq is lower than one already sent for its
 * account: an out-of-order pair issues seq s and s+1, sends s+1 (either type) and a few records
 * later the withdrawal with seq s. The ledger applies movements in arrival order without checking
 * seq, and a balance is a sum and a history a multiset, so the oracle does not depend on the
 * order; the history's row order and the balances announced by follow-on events do, and the
 * oracle computes them from the arrival order (partition order is per account, the key).
 * Duplicates re-send a recent event unchanged; poison and undecodable records are never duplicated,
 * so each belongs in the dead-letter topic exactly once.
 */
export function generateInput(random: SeededRandom, shape: InputShape, idPrefix: string): ChaosInput {
  const records: InputRecord[] = [];
  const seq = new Map<string, number>();
  const nextSeq = (accountId: string) => {
    const s = seq.get(accountId) ?? 0;
    seq.set(accountId, s + 1);
    return s;
  };
  let ids = 0;
  const newId = () => `${idPrefix}-${ids++}`;
  const duplicates = Math.round(shape.events * shape.duplicateRate);
  const specials = shape.poison + shape.undecodable;
  // Positions of duplicates, poison and undecodable records (never in the first 100, so there is history).
  const positions = random.shuffle(Array.from({ length: shape.events - 100 }, (_, i) => i + 100));
  const duplicateAt = new Set(positions.slice(0, duplicates));
  const specialAt = new Map<number, 'poison' | 'undecodable'>();
  for (const [i, p] of positions.slice(duplicates, duplicates + specials).entries())
    specialAt.set(p, i < shape.poison ? 'poison' : 'undecodable');
  const recent: InputEvent[] = []; // duplicate candidates: the last 2,000 plain events
  const late: { due: number; event: InputEvent }[] = []; // second halves of out-of-order pairs
  let outOfOrderPairs = 0;

  const emit = (event: InputEvent) => {
    records.push({ kind: 'event', event });
    if (event.data.amount !== POISON_AMOUNT) {
      recent.push(event);
      if (recent.length > 2_000) recent.shift();
    }
  };

  while (records.length < shape.events) {
    const at = records.length;
    const due = late.findIndex((l) => l.due <= at);
    const accountId = `acct-${random.int(0, shape.accounts - 1)}`;
    if (duplicateAt.has(at)) {
      records.push({ kind: 'duplicate', event: random.pick(recent) });
    } else if (specialAt.get(at) === 'poison') {
      emit({
        id: newId(),
        type: 'Deposited',
        data: { accountId, amount: POISON_AMOUNT, seq: nextSeq(accountId) },
      });
    } else if (specialAt.get(at) === 'undecodable') {
      const bytes = Buffer.from(`not-a-registry-record:${random.next().toString(36).slice(2)}`);
      records.push({
        kind: 'undecodable',
        id: newId(),
        type: random.chance(0.5) ? 'Deposited' : 'Withdrawn',
        accountId,
        value: bytes,
      });
    } else if (due >= 0) {
      const [l] = late.splice(due, 1);
      if (l) emit(l.event);
    } else if (at + 1 < shape.events && random.chance(shape.outOfOrderRate)) {
      const lower = nextSeq(accountId);
      const higher = nextSeq(accountId);
      emit(movement(random, newId(), accountId, higher));
      const withdrawal: InputEvent = {
        id: newId(),
        type: 'Withdrawn',
        data: { accountId, amount: random.int(1, 300), seq: lower },
      };
      late.push({ due: at + random.int(1, 20), event: withdrawal });
      outOfOrderPairs++;
    } else {
      emit(movement(random, newId(), accountId, nextSeq(accountId)));
    }
  }
  // Pairs whose second half fell past the end: send it at the end (still after the higher seq).
  for (const l of late) emit(l.event);

  const poison = records.filter((r) => r.kind === 'event' && r.event.data.amount === POISON_AMOUNT).length;
  const duplicateCount = records.filter((r) => r.kind === 'duplicate').length;
  const undecodable = records.filter((r) => r.kind === 'undecodable').length;
  return {
    records,
    stats: {
      records: records.length,
      uniqueEvents: records.length - duplicateCount,
      duplicates: duplicateCount,
      outOfOrderPairs,
      poison,
      undecodable,
      accounts: seq.size,
    },
  };
}

function movement(random: SeededRandom, id: string, accountId: string, seq: number): InputEvent {
  return random.chance(0.7)
    ? { id, type: 'Deposited', data: { accountId, amount: random.int(1, 500), seq } }
    : { id, type: 'Withdrawn', data: { accountId, amount: random.int(1, 300), seq } };
}
