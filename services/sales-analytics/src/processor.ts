import { OrderConfirmed, OrderPlaced } from '@fleet/contracts/orders';
import { defineProcessor, onBatch } from '@fleet/processor';
import { onOrdersConfirmed, onOrdersPlaced } from './handlers/sales-handlers.ts';
import { salesRoutes } from './http/sales-routes.ts';
import { migrations } from './migrations/index.ts';
import type { SalesDb } from './sales-db.ts';

/** Revenue and units per SKU per UTC day of confirmed orders. */
export const salesAnalytics = defineProcessor<SalesDb>({
  name: 'sales_analytics',
  httpPort: 8106,
  routes: [onBatch(OrderPlaced, onOrdersPlaced), onBatch(OrderConfirmed, onOrdersConfirmed)],
  migrations,
  http: salesRoutes,
});
