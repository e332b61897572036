import type { StockReserved } from '@fleet/contracts/orders';
import type { EventHandlerFor } from '@fleet/processor';
import { sql } from 'kysely';
import type { Payments } from '../processor.ts';
import type { PaymentDecider } from '../rules/payment-decider.ts';
import { decidePayment } from './decide-payment.ts';

/** StockReserved → the order may be paid for: decide now, or when its OrderPlaced arrives. */
export function recordReservation(decider: PaymentDecider): EventHandlerFor<Payments, typeof StockReserved> {
  return async (event, ctx) => {
    const { orderId, reservationId, reservedAt } = event.data;
    const request = await ctx.db
      .insertInto('payment_requests')
      .values({ order_id: orderId, reservation_id: reservationId, reserved_at: reservedAt })
      .onConflict((oc) =>
        oc.column('order_id').doUpdateSet({
          reservation_id: sql`coalesce(payment_requests.reservation_id, excluded.reservation_id)`,
          reserved_at: sql`coalesce(payment_requests.reserved_at, excluded.reserved_at)`,
          updated_at: sql`now()`,
        }),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    await decidePayment(request, decider, ctx);
  };
}
