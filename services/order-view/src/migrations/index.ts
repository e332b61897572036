import type { Migration } from 'kysely/migration';
import { orderSummaries } from './001-order-summaries.ts';
import { paymentVoid } from './002-payment-void.ts';

/** Applied in name order inside the service's schema. Never edit one that has shipped; add the next. */
export const migrations: Record<string, Migration> = {
  '001_order_summaries': orderSummaries,
  '002_payment_void': paymentVoid,
};
