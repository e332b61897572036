import { createTestDatabase, infraSettings, type TestDatabase, uniqueName } from '@fleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineProcessor, PermanentError, type RouteOptions } from '../src/index.ts';
import { event, ProcessorSpec } from '../src/testing/index.ts';
import { type LedgerDb, ledgerContracts, ledgerProcessor } from './ledger.ts';

// A route's policies on the real path (PostgreSQL and the registry, no broker): its backoff between
// attempts, and what happens when the attempts run out.
describe('route policies: backoff, and dead-letter or stop', () => {
  const contracts = ledgerContracts(uniqueName('policy_accounts'), uniqueName('policy_notices'));
  const { Deposited } = contracts;
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('route_policy');
  });
  afterAll(async () => {
    await database?.drop();
  });

  /** A processor whose one route fails its first `failures` attempts, recording when each began. */
  async function failingRoute(name: string, failures: number, options: RouteOptions) {
    const attempts: number[] = [];
    const definition = defineProcessor<LedgerDb>()({
      name,
      migrations: ledgerProcessor(contracts).migrations,
      routes: ({ on }) => [
        on(
          Deposited,
          async (e, ctx) => {
            attempts.push(performance.now());
            if (attempts.length <= failures) throw new PermanentError(`attempt ${attempts.length} refused`);
            await ctx.db
              .insertInto('balances')
              .values({ account_id: e.data.accountId, balance: e.data.amount, applied: 1 })
              .execute();
          },
          options,
        ),
      ],
    });
    const spec = await ProcessorSpec.start(definition, {
      databaseUrl: database.url,
      registryUrl: infraSettings().schemaRegistryUrl,
      schema: name,
    });
    const gaps = () => attempts.slice(1).map((t, i) => t - (attempts[i] as number));
    return { spec, attempts, gaps };
  }

  it('onExhausted stop: the event is held and retried, never dead-lettered, and applies once the handler succeeds', async () => {
    const { spec, attempts, gaps } = await failingRoute('policy_stop', 4, {
      maxAttempts: 1,
      backoff: { initialMs: 30, maxMs: 60 },
      onExhausted: 'stop',
    });
    try {
      const { deadLettered } = await spec.when(event(Deposited, { accountId: 's', amount: 5, seq: 1 }));
      expect(deadLettered).toEqual([]);
      expect(attempts).toHaveLength(5);
      const row = await spec.db
        .selectFrom('balances')
        .selectAll()
        .where('account_id', '=', 's')
        .executeTakeFirst();
      expect(Number(row?.balance)).toBe(5);
      // The sub-batch's transaction failed, then the event's own attempts, each after the backoff's
      // wait at least: 30, 60, 60 ms (doubling, at most maxMs).
      const [, ...waits] = gaps();
      expect(waits).toHaveLength(3);
      for (const [i, gap] of waits.entries()) expect(gap).toBeGreaterThanOrEqual(i === 0 ? 29 : 59);
    } finally {
      await spec.close();
    }
  });

  it('dead-letter (the default): a PermanentError goes to the DLQ at once, whatever maxAttempts says', async () => {
    const { spec, attempts } = await failingRoute('policy_permanent', 10, { maxAttempts: 5 });
    try {
      const { deadLettered } = await spec.when(event(Deposited, { accountId: 'p', amount: 1, seq: 1 }));
      expect(deadLettered.map((d) => d.code)).toEqual(['HANDLER_FAILED']);
      // Once in the sub-batch's transaction, once on its own: no retry.
      expect(attempts).toHaveLength(2);
    } finally {
      await spec.close();
    }
  });
});
