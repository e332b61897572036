import { randomUUID } from 'node:crypto';
import { OrderConfirmed, OrderPlaced } from '@fleet/contracts/orders';
import { event, ProcessorSpec, type SpecEvent } from '@fleet/processor';
import { createTestDatabase, infraSettings, kyselyFor, waitFor } from '@fleet/testkit';
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { salesAnalytics } from '../src/processor.ts';
import type { SalesDb } from '../src/sales-db.ts';

// What the runtime does with three partitions of orders: sub-batches of many orders for the same
// few SKUs applied at once, each in its transaction. Without the totals locked ahead, in one order,
// they deadlocked (13 deadlocks in 15 sub-batches of this test, 22 s; with them none, 7 s).
it('applies concurrent sub-batches of orders for the same SKUs without a deadlock, every sale counted once', async () => {
  const database = await createTestDatabase('sales_concurrency');
  const partitions = await Promise.all(
    [1, 2, 3].map(() =>
      ProcessorSpec.start(salesAnalytics, {
        databaseUrl: database.url,
        registryUrl: infraSettings().schemaRegistryUrl,
      }),
    ),
  );
  const db = kyselyFor<SalesDb>(database.url);
  try {
    const skus = ['A', 'B', 'C', 'D', 'E', 'F'].map((s) => `CONC-${s}`);
    let lines = 0;
    /** 200 orders placed and confirmed, each for up to 3 of the 6 SKUs, in an order of its own. */
    const subBatch = (k: number): SpecEvent[] =>
      Array.from({ length: 200 }, (_, i) => {
        const orderId = randomUUID();
        const picked = [...new Set([(i + k) % 6, (i * 5 + k + 1) % 6, (i * 7 + k + 3) % 6])];
        const orderLines = picked.map((s) => ({ sku: skus[s] as string, quantity: 1, unitPrice: 100 }));
        lines += orderLines.length;
        const totalCents = orderLines.length * 100;
        return [
          event(OrderPlaced, {
            orderId,
            customerId: 'c',
            lines: orderLines,
            totalCents,
            currency: 'EUR',
            placedAt: '2026-11-28T10:00:00.000Z',
          }),
          event(OrderConfirmed, {
            orderId,
            paymentId: 'p',
            totalCents,
            currency: 'EUR',
            confirmedAt: '2026-11-28T10:01:00.000Z',
          }),
        ];
      }).flat();
    const deadlocks = async () =>
      Number(
        (
          await sql<{ deadlocks: string }>`
            select deadlocks from pg_stat_database where datname = current_database()`.execute(db)
        ).rows[0]?.deadlocks,
      );
    const before = await deadlocks();

    for (let round = 0; round < 5; round++)
      await Promise.all(
        partitions.map(async (p, k) =>
          expect((await p.when(...subBatch(round * 3 + k))).deadLettered).toEqual([]),
        ),
      );

    const units = await db
      .selectFrom('sales_analytics.daily_sku_sales' as 'daily_sku_sales')
      .select(sql<string>`sum(units)`.as('units'))
      .where('sku', 'in', skus)
      .executeTakeFirstOrThrow();
    expect(Number(units.units)).toBe(lines);

    // A backend reports its counters when it exits: wait for the specs' to be gone, then read.
    await Promise.all(partitions.map((p) => p.close()));
    await waitFor('the processors disconnected', async () => {
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from pg_stat_activity
        where datname = current_database() and pid <> pg_backend_pid()`.execute(db);
      return rows[0]?.n === 0 ? true : undefined;
    });
    expect((await deadlocks()) - before, 'deadlocks').toBe(0);
  } finally {
    await Promise.all(partitions.map((p) => p.close().catch(() => {})));
    await db.destroy();
    await database.drop();
  }
});
