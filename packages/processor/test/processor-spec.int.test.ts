import type { EventType } from '@fleet/contracts';
import { createTestDatabase, infraSettings, type TestDatabase, uniqueName } from '@fleet/testkit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LockAhead } from '../src/index.ts';
import { event, ProcessorSpec } from '../src/testing/index.ts';
import { type LedgerDb, ledgerContracts, ledgerProcessor, POISON_AMOUNT } from './ledger.ts';

// The harness on the runtime's own ledger: real PostgreSQL and registry, no broker.
describe('ProcessorSpec: given/when/then without Kafka', () => {
  const contracts = ledgerContracts(uniqueName('spec_accounts'), uniqueName('spec_notices'));
  const { Deposited, Withdrawn, BalanceChanged } = contracts;
  let database: TestDatabase;
  let spec: ProcessorSpec<LedgerDb>;

  beforeAll(async () => {
    database = await createTestDatabase('processor_spec');
    spec = await ProcessorSpec.start(ledgerProcessor(contracts, 'ledger_spec'), {
      databaseUrl: database.url,
      registryUrl: infraSettings().schemaRegistryUrl,
    });
  });
  afterAll(async () => {
    await spec?.close();
    await database?.drop();
  });

  const balance = async (accountId: string) =>
    (await spec.db.selectFrom('balances').selectAll().where('account_id', '=', accountId).executeTakeFirst())
      ?.balance;

  it('applies events through the real path: projection rows and published follow-ons', async () => {
    await spec.given(event(Deposited, { accountId: 'a', amount: 100, seq: 1 }));
    const { published, deadLettered } = await spec.when(
      event(Withdrawn, { accountId: 'a', amount: 30, seq: 2 }),
      event(Deposited, { accountId: 'a', amount: 5, seq: 5 }, { id: 'dep-5' }),
    );
    expect(Number(await balance('a'))).toBe(75);
    expect(deadLettered).toEqual([]);
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({
      type: (BalanceChanged as EventType).type,
      key: 'a',
      causationId: 'dep-5',
      data: { accountId: 'a', balance: 75, seq: 5 },
    });
  });

  it('deduplicates by event ID and dead-letters what fails, without touching the rest', async () => {
    await spec.given(event(Deposited, { accountId: 'b', amount: 10, seq: 1 }, { id: 'once' }));
    const { deadLettered } = await spec.when(
      event(Deposited, { accountId: 'b', amount: 10, seq: 1 }, { id: 'once' }),
      event(Deposited, { accountId: 'b', amount: POISON_AMOUNT, seq: 2 }, { id: 'poison' }),
      event(Deposited, { accountId: 'b', amount: 1, seq: 3 }),
    );
    expect(Number(await balance('b'))).toBe(11);
    expect(deadLettered.map((d) => [d.id, d.code])).toEqual([['poison', 'HANDLER_FAILED']]);
  });

  it('refuses a given that does not apply', async () => {
    await expect(
      spec.given(event(Deposited, { accountId: 'c', amount: POISON_AMOUNT, seq: 1 })),
    ).rejects.toThrow(/dead-lettered: HANDLER_FAILED/);
  });

  it("runs lockAhead first with the sub-batch's new events; one that fails is left out, the events still apply", async () => {
    const seen: string[][] = [];
    let failing = false;
    const lockAhead: LockAhead<LedgerDb> = async (events, { db }) => {
      seen.push(events.map((e) => e.meta.id));
      // A failed statement aborts the transaction unless its savepoint is rolled back.
      if (failing) await sql`select * from no_such_table`.execute(db);
    };
    const locking = await ProcessorSpec.start(
      { ...ledgerProcessor(contracts, 'ledger_lock_ahead'), lockAhead },
      {
        databaseUrl: database.url,
        registryUrl: infraSettings().schemaRegistryUrl,
        schema: 'ledger_lock_ahead',
      },
    );
    try {
      await locking.given(event(Deposited, { accountId: 'l', amount: 1, seq: 1 }, { id: 'l-1' }));
      await locking.when(
        event(Deposited, { accountId: 'l', amount: 1, seq: 1 }, { id: 'l-1' }),
        event(Deposited, { accountId: 'l', amount: 2, seq: 2 }, { id: 'l-2' }),
      );
      expect(seen).toEqual([['l-1'], ['l-2']]); // the duplicate is not handed to it again
      failing = true;
      const { deadLettered } = await locking.when(event(Deposited, { accountId: 'l', amount: 4, seq: 3 }));
      expect(deadLettered).toEqual([]);
      const row = await locking.db
        .selectFrom('balances')
        .selectAll()
        .where('account_id', '=', 'l')
        .executeTakeFirst();
      expect(Number(row?.balance)).toBe(7);
    } finally {
      await locking.close();
    }
  });
});
