import { PaymentVoided, type VoidPayment } from '@fleet/contracts/orders';
import type { EventHandlerFor } from '@fleet/processor';
import { sql } from 'kysely';
import type { Payments } from '../processor.ts';

/**
 * VoidPayment (from the order-lifecycle saga, for an order cancelled after its payment was
 * authorised) → release the authorisation once and publish PaymentVoided. The `voided_at is null`
 * guard makes a repeated command (new event ID) a no-op. A command for a payment this service did
 * not authorise cannot be carried out: it fails, so it lands in the dead-letter topic with the reason.
 */
export const voidPayment: EventHandlerFor<Payments, typeof VoidPayment> = async (event, ctx) => {
  const { orderId, paymentId, reason } = event.data;
  const voided = await ctx.db
    .updateTable('payments')
    .set({ voided_at: sql`now()`, void_reason: reason })
    .where('order_id', '=', orderId)
    .where('payment_id', '=', paymentId)
    .where('decision', '=', 'authorized')
    .where('voided_at', 'is', null)
    .returning(['amount', 'currency', 'voided_at'])
    .executeTakeFirst();
  if (voided) {
    await ctx.publish(PaymentVoided, {
      orderId,
      paymentId,
      amountCents: Number(voided.amount),
      currency: voided.currency,
      voidedAt: new Date(voided.voided_at ?? Date.now()).toISOString(),
    });
    ctx.log.info({ orderId, paymentId, reason }, 'payment voided');
    return;
  }
  const payment = await ctx.db
    .selectFrom('payments')
    .select(['payment_id', 'decision', 'voided_at'])
    .where('order_id', '=', orderId)
    .executeTakeFirst();
  if (payment?.payment_id === paymentId && payment.voided_at !== null) {
    ctx.log.info({ orderId, paymentId }, 'payment voided already; nothing to do');
    return;
  }
  const found = payment
    ? `the order's payment is ${payment.payment_id}, ${payment.decision}`
    : 'no payment was decided for the order';
  throw new Error(`cannot void payment ${paymentId} of order ${orderId}: ${found}`);
};
