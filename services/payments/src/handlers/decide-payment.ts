import { PaymentAuthorized, PaymentDeclined } from '@fleet/contracts/orders';
import { type ContextFor, deterministicId } from '@fleet/processor';
import type { Selectable } from 'kysely';
import type { PaymentRequestsTable } from '../payments-db.ts';
import type { Payments } from '../processor.ts';
import type { PaymentDecider } from '../rules/payment-decider.ts';

type Request = Pick<
  Selectable<PaymentRequestsTable>,
  'order_id' | 'customer_id' | 'total_cents' | 'currency' | 'reservation_id'
>;

/** One payment per order, so its ID follows from the order's (the same on every replay). */
export const paymentIdOf = (orderId: string) => `pay-${deterministicId('payments', orderId)}`;

/**
 * Decides once both halves of the request are in (the order's facts and its reservation) and
 * publishes the outcome. The payments primary key makes it once per order, whichever event
 * completed the request and however often it is delivered.
 */
export async function decidePayment(
  request: Request,
  decider: PaymentDecider,
  ctx: ContextFor<Payments>,
): Promise<void> {
  const { order_id: orderId, customer_id: customerId, currency, reservation_id } = request;
  if (customerId === null || currency === null || request.total_cents === null || reservation_id === null) {
    ctx.log.info(
      { orderId, waitingFor: reservation_id === null ? 'StockReserved' : 'OrderPlaced' },
      'payment request incomplete; deciding when the rest arrives',
    );
    return;
  }
  const totalCents = Number(request.total_cents);
  const verdict = await decider.decide({ orderId, customerId, totalCents, currency });
  const paymentId = paymentIdOf(orderId);
  const recorded = await ctx.db
    .insertInto('payments')
    .values({
      order_id: orderId,
      payment_id: paymentId,
      decision: verdict.decision,
      reason: verdict.rule,
      decline_code: verdict.decision === 'declined' ? verdict.code : null,
      amount: totalCents,
      currency,
      customer_id: customerId,
    })
    .onConflict((oc) => oc.column('order_id').doNothing())
    .returning('order_id')
    .executeTakeFirst();
  if (!recorded) {
    ctx.log.info({ orderId }, 'payment already decided; nothing to do');
    return;
  }
  const now = new Date().toISOString();
  if (verdict.decision === 'authorized')
    await ctx.publish(PaymentAuthorized, {
      orderId,
      paymentId,
      amountCents: totalCents,
      currency,
      authorizedAt: now,
    });
  else
    await ctx.publish(PaymentDeclined, {
      orderId,
      reason: verdict.code,
      amountCents: totalCents,
      currency,
      declinedAt: now,
    });
  ctx.log.info({ orderId, ...verdict }, `payment ${verdict.decision}`);
}
