import { defineProcessor, type ProcessorDefinition } from '@fleet/processor';
import { sql } from 'kysely';
import type { LedgerContracts, LedgerDb } from '../../processor/test/ledger.ts';

/**
 * The ledger after "the fix": the same processor (name, group, schema, migrations) whose deposit
 * handler accepts every amount, POISON_AMOUNT included. Redriven dead letters must apply once.
 */
export function fixedLedger(
  contracts: LedgerContracts,
  ledger: ProcessorDefinition<LedgerDb>,
): ProcessorDefinition<LedgerDb> {
  return defineProcessor<LedgerDb>()({
    ...ledger,
    routes: ({ on }) =>
      ledger.routes.map((route) =>
        route.event.type === contracts.Deposited.type
          ? on(contracts.Deposited, async (event, ctx) => {
              const { accountId, amount, seq } = event.data;
              await ctx.db
                .insertInto('balances')
                .values({ account_id: accountId, balance: amount, applied: 1 })
                .onConflict((oc) =>
                  oc.column('account_id').doUpdateSet({
                    balance: sql`balances.balance + excluded.balance`,
                    applied: sql`balances.applied + 1`,
                  }),
                )
                .execute();
              await ctx.db.insertInto('history').values({ account_id: accountId, seq, amount }).execute();
            })
          : route,
      ),
  });
}
