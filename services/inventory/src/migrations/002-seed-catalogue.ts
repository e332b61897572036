import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { initialCatalogue } from '../catalogue.ts';

// Runs once per schema (the migrator records it): a restart never tops stock back up.
export const seedCatalogue: Migration = {
  async up(db: Kysely<unknown>) {
    await (db as Kysely<{ stock: { sku: string; available: number } }>)
      .insertInto('stock')
      .values([...initialCatalogue])
      .onConflict((oc) => oc.column('sku').doNothing())
      .execute();
  },
};
