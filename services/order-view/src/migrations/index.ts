import type { Migration } from 'kysely/migration';
import { orderSummaries } from './001-order-summaries.ts';

export const migrations: Record<string, Migration> = {
  '001_order_summaries': orderSummaries,
};
