import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/** An authorisation can be voided (the order was cancelled after it): when and why. */
export const paymentVoids: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('payments')
      .addColumn('voided_at', 'timestamptz')
      .addColumn('void_reason', 'text')
      .execute();
  },
};
