// A small processor used by the runtime's own tests: deposits and withdrawals per account,
// a balance projection, a history that shows per-key order, and a follow-on event.
import { defineEvent, defineTopic, type EventType } from '@fleet/contracts';
import { type Generated, sql } from 'kysely';
import { z } from 'zod';
import { defineProcessor } from '../src/index.ts';

export const POISON_AMOUNT = 666;

export interface LedgerDb {
  balances: { account_id: string; balance: number; applied: number };
  history: { n: Generated<number>; account_id: string; seq: number; amount: number };
}

const movement = z.object({
  accountId: z.string().min(1),
  amount: z.number().int(),
  seq: z.number().int().min(0),
});
export type Movement = z.infer<typeof movement>;

export function ledgerContracts(accountsTopic: string, noticesTopic: string) {
  const topic = (name: string) =>
    defineTopic({ name, partitions: 3, replicationFactor: 1, description: 'test topic', key: 'accountId' });
  const accounts = topic(accountsTopic);
  const notices = topic(noticesTopic);
  const example = { accountId: 'a-1', amount: 10, seq: 0 };
  const Deposited = defineEvent({
    name: 'Deposited',
    version: 1,
    topic: accounts,
    schema: movement,
    key: (d) => d.accountId,
    example,
    description: 'Money came in',
  });
  const Withdrawn = defineEvent({
    name: 'Withdrawn',
    version: 1,
    topic: accounts,
    schema: movement,
    key: (d) => d.accountId,
    example,
    description: 'Money went out',
  });
  const BalanceChanged = defineEvent({
    name: 'BalanceChanged',
    version: 1,
    topic: notices,
    schema: z.object({ accountId: z.string(), balance: z.number().int(), seq: z.number().int() }),
    key: (d) => d.accountId,
    example: { accountId: 'a-1', balance: 10, seq: 0 },
    description: 'Every 5th movement of an account announces its balance',
  });
  return { accounts, notices, Deposited, Withdrawn, BalanceChanged };
}

export type LedgerContracts = ReturnType<typeof ledgerContracts>;

export function ledgerProcessor(contracts: LedgerContracts, name = 'ledger') {
  const { Deposited, Withdrawn, BalanceChanged } = contracts;
  return defineProcessor<LedgerDb>()({
    name,
    publishes: [BalanceChanged as EventType],
    routes: ({ on, onBatch }) => [
      on(Deposited, async (event, ctx) => {
        const { accountId, amount, seq } = event.data;
        if (amount === POISON_AMOUNT) throw new Error(`amount ${POISON_AMOUNT} is poison`);
        const { balance } = await ctx.db
          .insertInto('balances')
          .values({ account_id: accountId, balance: amount, applied: 1 })
          .onConflict((oc) =>
            oc.column('account_id').doUpdateSet({
              balance: sql`balances.balance + excluded.balance`,
              applied: sql`balances.applied + 1`,
            }),
          )
          .returning('balance')
          .executeTakeFirstOrThrow();
        await ctx.db.insertInto('history').values({ account_id: accountId, seq, amount }).execute();
        if (seq % 5 === 0) await ctx.publish(BalanceChanged, { accountId, balance: Number(balance), seq });
      }),
      // Set-based: one statement for the history, one upsert per account for the folded amounts.
      onBatch(Withdrawn, async (events, ctx) => {
        await ctx.db
          .insertInto('history')
          .values(
            events.map((e) => ({ account_id: e.data.accountId, seq: e.data.seq, amount: -e.data.amount })),
          )
          .execute();
        const folded = new Map<string, { amount: number; count: number }>();
        for (const { data } of events) {
          const f = folded.get(data.accountId) ?? { amount: 0, count: 0 };
          folded.set(data.accountId, { amount: f.amount - data.amount, count: f.count + 1 });
        }
        await ctx.db
          .insertInto('balances')
          .values([...folded].map(([account_id, f]) => ({ account_id, balance: f.amount, applied: f.count })))
          .onConflict((oc) =>
            oc.column('account_id').doUpdateSet({
              balance: sql`balances.balance + excluded.balance`,
              applied: sql`balances.applied + excluded.applied`,
            }),
          )
          .execute();
      }),
    ],
    migrations: {
      '001_balances_and_history': {
        async up(db) {
          await db.schema
            .createTable('balances')
            .addColumn('account_id', 'text', (c) => c.primaryKey())
            .addColumn('balance', 'bigint', (c) => c.notNull())
            .addColumn('applied', 'integer', (c) => c.notNull())
            .execute();
          await db.schema
            .createTable('history')
            .addColumn('n', 'bigserial', (c) => c.primaryKey())
            .addColumn('account_id', 'text', (c) => c.notNull())
            .addColumn('seq', 'integer', (c) => c.notNull())
            .addColumn('amount', 'integer', (c) => c.notNull())
            .execute();
        },
      },
    },
  });
}

/** What the projection must hold after the input, computed from the input alone. */
export function ledgerOracle(input: { id: string; type: 'Deposited' | 'Withdrawn'; data: Movement }[]) {
  const seen = new Set<string>();
  const balances = new Map<string, { balance: number; applied: number }>();
  for (const { id, type, data } of input) {
    if (seen.has(id)) continue;
    seen.add(id);
    if (type === 'Deposited' && data.amount === POISON_AMOUNT) continue;
    const b = balances.get(data.accountId) ?? { balance: 0, applied: 0 };
    balances.set(data.accountId, {
      balance: b.balance + (type === 'Deposited' ? data.amount : -data.amount),
      applied: b.applied + 1,
    });
  }
  return balances;
}
