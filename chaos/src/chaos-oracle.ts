import { type InputRecord, POISON_AMOUNT } from './chaos-input.ts';
import { followOnId } from './follow-on-id.ts';

export interface ExpectedNotice {
  accountId: string;
  balance: number;
  seq: number;
}

/** What the ledger must hold after the stream, computed from the input alone. */
export interface ChaosOracle {
  balances: Map<string, { balance: number; applied: number }>;
  /** Per account, the history rows (seq, signed amount) in the order they must be written. */
  history: Map<string, { seq: number; amount: number }[]>;
  /** Follow-on event ID (computed by the oracle's own `followOnId`, not the runtime's) → its payload. */
  notices: Map<string, ExpectedNotice>;
  /** Dead-letter ID → why it belongs there. */
  deadLetters: Map<string, 'poison' | 'undecodable'>;
  /** Event IDs the dedupe table must hold (applied events; dead-lettered ones are forgotten). */
  applied: number;
}

/**
 * Folds the stream in send order. Per account the records share a key, so a partition, so their
 * arrival order is the send order; the first copy of an ID is the one that counts.
 */
export function chaosOracle(records: InputRecord[], processor: string): ChaosOracle {
  const seen = new Set<string>();
  const oracle: ChaosOracle = {
    balances: new Map(),
    history: new Map(),
    notices: new Map(),
    deadLetters: new Map(),
    applied: 0,
  };
  for (const record of records) {
    if (record.kind === 'undecodable') {
      oracle.deadLetters.set(record.id, 'undecodable');
      continue;
    }
    const { id, type, data } = record.event;
    if (seen.has(id)) continue;
    seen.add(id);
    if (type === 'Deposited' && data.amount === POISON_AMOUNT) {
      oracle.deadLetters.set(id, 'poison');
      continue;
    }
    const amount = type === 'Deposited' ? data.amount : -data.amount;
    const b = oracle.balances.get(data.accountId) ?? { balance: 0, applied: 0 };
    b.balance += amount;
    b.applied += 1;
    oracle.balances.set(data.accountId, b);
    const h = oracle.history.get(data.accountId) ?? [];
    h.push({ seq: data.seq, amount });
    oracle.history.set(data.accountId, h);
    oracle.applied++;
    if (type === 'Deposited' && data.seq % 5 === 0)
      oracle.notices.set(followOnId(id, processor, 0), {
        accountId: data.accountId,
        balance: b.balance,
        seq: data.seq,
      });
  }
  return oracle;
}
