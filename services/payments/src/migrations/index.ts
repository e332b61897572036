import type { Migration } from 'kysely/migration';
import { paymentsTables } from './001-payments.ts';
import { paymentVoids } from './002-payment-voids.ts';

/** Applied in name order inside the service's schema. Never edit one that has shipped; add the next. */
export const migrations: Record<string, Migration> = {
  '001_payments': paymentsTables,
  '002_payment_voids': paymentVoids,
};
