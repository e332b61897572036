import { OrderCancelled, OrderConfirmed, OrderPlaced } from '@fleet/contracts/orders';
import { defineProcessor } from '@fleet/processor';
import { onOrdersCancelled, onOrdersConfirmed, onOrdersPlaced } from './handlers/sales-handlers.ts';
import { salesRoutes } from './http/sales-routes.ts';
import { lockDailyRowsAhead } from './lock-daily-rows-ahead.ts';
import { migrations } from './migrations/index.ts';
import type { SalesDb } from './sales-db.ts';

/**
 * Revenue and units per SKU per UTC day of confirmed orders that are not cancelled: a cancellation
 * always wins, whenever it arrives (the order is never counted, or its sale is reversed). A
 * sub-batch's daily totals are locked first, in one order (lock-daily-rows-ahead.ts).
 */
export const salesAnalytics = defineProcessor<SalesDb>()({
  name: 'sales_analytics',
  routes: ({ onBatch }) => [
    onBatch(OrderPlaced, onOrdersPlaced),
    onBatch(OrderConfirmed, onOrdersConfirmed),
    onBatch(OrderCancelled, onOrdersCancelled),
  ],
  lockAhead: lockDailyRowsAhead,
  migrations,
  http: salesRoutes,
});
