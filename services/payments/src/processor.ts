import {
  OrderPlaced,
  PaymentAuthorized,
  PaymentDeclined,
  PaymentVoided,
  StockReserved,
  VoidPayment,
} from '@fleet/contracts/orders';
import { defineProcessor, type ProcessorTypes } from '@fleet/processor';
import { recordOrder } from './handlers/record-order.ts';
import { recordReservation } from './handlers/record-reservation.ts';
import { voidPayment } from './handlers/void-payment.ts';
import { paymentRoutes } from './http/payment-routes.ts';
import { migrations } from './migrations/index.ts';
import type { PaymentsDb } from './payments-db.ts';
import { loadPaymentRules, rulesFileFrom } from './rules/load-payment-rules.ts';
import { PaymentDecider } from './rules/payment-decider.ts';
import type { PaymentRules } from './rules/payment-rules-schema.ts';

/**
 * payments: one decision per order whose stock is reserved, by rules kept as data.
 *   inventory StockReserved → recordReservation → PaymentAuthorized | PaymentDeclined (payments)
 *   orders    OrderPlaced   → recordOrder       (customer, total, currency: StockReserved lacks them)
 *   payments  VoidPayment   → voidPayment       → PaymentVoided (payments), once per payment
 * Whichever of the two arrives second decides. Tables: payment_requests, payments.
 * HTTP: GET /payments/:orderId, GET /rules.
 */
export function paymentsProcessor(rules: PaymentRules) {
  const decider = new PaymentDecider(rules);
  return defineProcessor<PaymentsDb>()({
    name: 'payments',
    publishes: [PaymentAuthorized, PaymentDeclined, PaymentVoided],
    routes: ({ on }) => [
      on(StockReserved, recordReservation(decider)),
      on(OrderPlaced, recordOrder(decider)),
      on(VoidPayment, voidPayment),
    ],
    migrations,
    http: paymentRoutes(rules),
  });
}

/** What payments' handlers see: its tables, and the events they may publish (those of `publishes`). */
export type Payments = ProcessorTypes<
  PaymentsDb,
  typeof PaymentAuthorized | typeof PaymentDeclined | typeof PaymentVoided
>;

/**
 * The processor with the rules the environment names (PAYMENTS_RULES_FILE, else the shipped ones):
 * what the service's main runs, and what `fleet rebuild payments` rebuilds with (package.json
 * `fleet.processor`). Throws PaymentRulesError naming every problem of the rules file.
 */
export function paymentsFromEnv(env: NodeJS.ProcessEnv = process.env) {
  return paymentsProcessor(loadPaymentRules(rulesFileFrom(env)));
}
