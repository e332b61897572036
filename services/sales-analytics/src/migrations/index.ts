import type { Migration } from 'kysely/migration';
import { dailySkuSales } from './001-daily-sku-sales.ts';

export const migrations: Record<string, Migration> = {
  '001_daily_sku_sales': dailySkuSales,
};
