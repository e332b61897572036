import {
  OrderCancelled,
  OrderPlaced,
  ReleaseStock,
  StockRejected,
  StockReserved,
} from '@fleet/contracts/orders';
import { defineProcessor, type ProcessorTypes } from '@fleet/processor';
import { releaseOnCancel } from './handlers/release-on-cancel.ts';
import { releaseOnCommand } from './handlers/release-on-command.ts';
import { reserveStock } from './handlers/reserve-stock.ts';
import { stockRoutes } from './http/stock-routes.ts';
import type { InventoryDb } from './inventory-db.ts';
import { lockStockAhead } from './lock-stock-ahead.ts';
import { migrations } from './migrations/index.ts';

/**
 * inventory: stock for orders.
 *   orders    OrderPlaced (v2; v1 upcast) → reserveStock      → StockReserved | StockRejected (inventory)
 *   orders    OrderCancelled              → releaseOnCancel   (stock back once; tombstone if first)
 *   inventory ReleaseStock                → releaseOnCommand  (same release, from the saga)
 * A sub-batch's stock rows are locked first, in SKU order (lock-stock-ahead.ts).
 * Tables: stock, reservations. HTTP: GET /stock, /stock/:sku, /reservations/:orderId.
 */
export const inventory = defineProcessor<InventoryDb>()({
  name: 'inventory',
  publishes: [StockReserved, StockRejected],
  routes: ({ on }) => [
    on(OrderPlaced, reserveStock),
    on(OrderCancelled, releaseOnCancel),
    on(ReleaseStock, releaseOnCommand),
  ],
  lockAhead: lockStockAhead,
  migrations,
  http: stockRoutes,
});

/** What inventory's handlers see: its tables, and the events they may publish (those of `publishes`). */
export type Inventory = ProcessorTypes<InventoryDb, typeof StockReserved | typeof StockRejected>;
