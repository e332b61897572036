import type { Migration } from 'kysely/migration';
import { dailySkuSales } from './001-daily-sku-sales.ts';
import { cancelledOrders } from './002-cancelled-orders.ts';

export const migrations: Record<string, Migration> = {
  '001_daily_sku_sales': dailySkuSales,
  '002_cancelled_orders': cancelledOrders,
};
