import type { OrderPlaced } from '@fleet/contracts/orders';
import type { EventHandlerFor } from '@fleet/processor';
import { sql } from 'kysely';
import type { Payments } from '../processor.ts';
import type { PaymentDecider } from '../rules/payment-decider.ts';
import { decidePayment } from './decide-payment.ts';

/**
 * OrderPlaced → keep what a payment decision needs (StockReserved carries no customer, total or
 * currency), then decide if the reservation is already here. The first facts of an order stand.
 */
export function recordOrder(decider: PaymentDecider): EventHandlerFor<Payments, typeof OrderPlaced> {
  return async (event, ctx) => {
    const { orderId, customerId, totalCents, currency, placedAt } = event.data;
    // An upsert, not read-then-write: a StockReserved of the same order may be handled at this moment
    // from the other topic; the row lock orders the two, and the later one sees both halves.
    const request = await ctx.db
      .insertInto('payment_requests')
      .values({
        order_id: orderId,
        customer_id: customerId,
        total_cents: totalCents,
        currency,
        placed_at: placedAt,
      })
      .onConflict((oc) =>
        oc.column('order_id').doUpdateSet({
          customer_id: sql`coalesce(payment_requests.customer_id, excluded.customer_id)`,
          total_cents: sql`coalesce(payment_requests.total_cents, excluded.total_cents)`,
          currency: sql`coalesce(payment_requests.currency, excluded.currency)`,
          placed_at: sql`coalesce(payment_requests.placed_at, excluded.placed_at)`,
          updated_at: sql`now()`,
        }),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    await decidePayment(request, decider, ctx);
  };
}
