import {
  OrderCancelled,
  OrderConfirmed,
  OrderPlaced,
  OrderRejected,
  PaymentAuthorized,
  PaymentDeclined,
  ReleaseStock,
  StockRejected,
  StockReserved,
  VoidPayment,
} from '@fleet/contracts/orders';
import { defineProcessor, type ProcessorTypes } from '@fleet/processor';
import { expireStuckSagas } from './handlers/expire-sagas.ts';
import {
  onOrderCancelled,
  onOrderPlaced,
  onPaymentAuthorized,
  onPaymentDeclined,
  onStockRejected,
  onStockReserved,
} from './handlers/saga-handlers.ts';
import { sagaRoutes } from './http/saga-routes.ts';
import type { LifecycleDb } from './lifecycle-db.ts';
import { migrations } from './migrations/index.ts';

/** The order saga: orders, inventory and payments in; confirmation, rejection and compensation out. */
export const orderLifecycle = defineProcessor<LifecycleDb>()({
  name: 'order_lifecycle',
  publishes: [OrderConfirmed, OrderRejected, ReleaseStock, VoidPayment],
  routes: ({ on }) => [
    on(OrderPlaced, onOrderPlaced),
    on(OrderCancelled, onOrderCancelled),
    on(StockReserved, onStockReserved),
    on(StockRejected, onStockRejected),
    on(PaymentAuthorized, onPaymentAuthorized),
    on(PaymentDeclined, onPaymentDeclined),
  ],
  schedules: [expireStuckSagas()],
  migrations,
  http: sagaRoutes,
});

/** What the saga's handlers and schedule see: its tables, and the events they may publish (those of `publishes`). */
export type OrderLifecycle = ProcessorTypes<
  LifecycleDb,
  typeof OrderConfirmed | typeof OrderRejected | typeof ReleaseStock | typeof VoidPayment
>;
