import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * The payment half of the compensation for an order cancelled after its confirmation: when the saga
 * asked to void the authorisation (VoidPayment) and when the payments service did (PaymentVoided).
 * Also re-derives the stored status under the new precedence (a cancellation beats a confirmation):
 * orders cancelled after their confirmation were stored as CONFIRMED and may see no further event.
 */
export const paymentVoid: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('order_summaries')
      .addColumn('void_requested_at', 'timestamptz')
      .addColumn('payment_voided_at', 'timestamptz')
      .execute();
    await sql`
      update order_summaries set status = 'CANCELLED', updated_at = now()
      where placed_at is not null and cancelled_at is not null and status <> 'CANCELLED'`.execute(db);
  },
};
