import type { Migration } from 'kysely/migration';
import { orderSagas } from './001-order-sagas.ts';

export const migrations: Record<string, Migration> = {
  '001_order_sagas': orderSagas,
};
