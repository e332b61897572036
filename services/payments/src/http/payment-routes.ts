import { FleetError, parseRequest } from '@fleet/processor';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { PaymentsDb } from '../payments-db.ts';
import type { PaymentRules } from '../rules/payment-rules-schema.ts';

const orderParams = z.object({ orderId: z.uuid('must be a UUID') });

/** Read-only views for operators and tests: the rules in force and each order's payment. */
export function paymentRoutes(rules: PaymentRules) {
  return (app: FastifyInstance, { db }: { db: Kysely<PaymentsDb> }): void => {
    app.get('/rules', async () => rules);

    app.get('/payments/:orderId', async (request) => {
      const { orderId } = parseRequest(orderParams, request.params, 'params');
      const payment = await db
        .selectFrom('payments')
        .selectAll()
        .where('order_id', '=', orderId)
        .executeTakeFirst();
      if (payment)
        return {
          orderId,
          paymentId: payment.payment_id,
          decision: payment.decision,
          reason: payment.reason,
          declineCode: payment.decline_code,
          amountCents: Number(payment.amount),
          currency: payment.currency,
          customerId: payment.customer_id,
          decidedAt: payment.decided_at,
          voidedAt: payment.voided_at,
          voidReason: payment.void_reason,
        };
      const pending = await db
        .selectFrom('payment_requests')
        .select(['customer_id', 'reservation_id'])
        .where('order_id', '=', orderId)
        .executeTakeFirst();
      if (!pending) throw new FleetError('NOT_FOUND', `no payment for order ${orderId}`);
      return {
        orderId,
        decision: 'pending',
        waitingFor: [
          ...(pending.customer_id === null ? ['OrderPlaced'] : []),
          ...(pending.reservation_id === null ? ['StockReserved'] : []),
        ],
      };
    });
  };
}
