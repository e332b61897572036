import { createTestDatabase, type TestDatabase } from '@fleet/testkit';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initialCatalogue } from '../src/catalogue.ts';
import type { InventoryDb } from '../src/inventory-db.ts';
import { migrations } from '../src/migrations/index.ts';
import { mergeLines } from '../src/order-lines.ts';
import { returnStock, takeStock } from '../src/stock-store.ts';

// The stock guards straight on Postgres, without Kafka: many transactions racing for few units.
describe('stock store on real Postgres', () => {
  let database: TestDatabase;
  let db: Kysely<InventoryDb>;

  beforeAll(async () => {
    database = await createTestDatabase('inventory_stock');
    const pool = new pg.Pool({
      connectionString: database.url,
      max: 20,
      options: '-c search_path=inventory',
    });
    db = new Kysely<InventoryDb>({ dialect: new PostgresDialect({ pool }) });
    await sql`create schema inventory`.execute(db);
    const { error } = await new Migrator({
      db,
      provider: { getMigrations: async () => migrations },
    }).migrateToLatest();
    if (error) throw error;
  });
  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  const stock = async (sku: string) =>
    (await db.selectFrom('stock').select('available').where('sku', '=', sku).executeTakeFirstOrThrow())
      .available;

  it('seeds the documented catalogue', async () => {
    const rows = await db.selectFrom('stock').select(['sku', 'available']).orderBy('sku').execute();
    expect(rows).toEqual(initialCatalogue);
  });

  it('lets exactly one of many concurrent transactions take the last unit', async () => {
    expect(await stock('SKU-001')).toBe(1);
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, () =>
        db.transaction().execute((trx) => takeStock(trx, mergeLines([{ sku: 'SKU-001', quantity: 1 }]))),
      ),
    );
    expect(outcomes.filter((short) => short.length === 0)).toHaveLength(1);
    expect(outcomes.filter((short) => short.length === 1)).toHaveLength(7);
    expect(await stock('SKU-001')).toBe(0);
  });

  it('takes all lines or none, and multi-line orders in opposite orders do not deadlock', async () => {
    // SKU-003 has 5, SKU-013 has 5: ten orders of one unit each of both, listed in both orders.
    const orders = Array.from({ length: 10 }, (_, i) =>
      mergeLines(
        i % 2 === 0
          ? [
              { sku: 'SKU-003', quantity: 1 },
              { sku: 'SKU-013', quantity: 1 },
            ]
          : [
              { sku: 'SKU-013', quantity: 1 },
              { sku: 'SKU-003', quantity: 1 },
            ],
      ),
    );
    const outcomes = await Promise.all(
      orders.map((lines) => db.transaction().execute((trx) => takeStock(trx, lines))),
    );
    expect(outcomes.filter((short) => short.length === 0)).toHaveLength(5);
    expect([await stock('SKU-003'), await stock('SKU-013')]).toEqual([0, 0]);

    // A short line leaves the other line untouched.
    await db.transaction().execute((trx) => returnStock(trx, mergeLines([{ sku: 'SKU-003', quantity: 2 }])));
    const short = await db.transaction().execute((trx) =>
      takeStock(
        trx,
        mergeLines([
          { sku: 'SKU-003', quantity: 2 },
          { sku: 'SKU-013', quantity: 1 },
        ]),
      ),
    );
    expect(short).toEqual([{ sku: 'SKU-013', requested: 1, available: 0, unknown: false }]);
    expect([await stock('SKU-003'), await stock('SKU-013')]).toEqual([2, 0]);
  });

  it('refuses a negative stock even without the lock (check constraint)', async () => {
    await expect(
      db
        .updateTable('stock')
        .set({ available: sql`available - 1000000` })
        .where('sku', '=', 'SKU-009')
        .execute(),
    ).rejects.toThrow(/check constraint/);
  });
});
