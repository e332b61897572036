import type { EventType } from '../define-event.ts';
import { EventCatalog } from '../event-catalog.ts';
import { ReleaseStock, StockRejected, StockReserved } from './inventory-events.ts';
import { OrderCancelled, OrderConfirmed, OrderPlaced, OrderPlacedV1, OrderRejected } from './order-events.ts';
import { PaymentAuthorized, PaymentDeclined, PaymentVoided, VoidPayment } from './payment-events.ts';

export { ReleaseStock, StockRejected, StockReserved } from './inventory-events.ts';
export { OrderCancelled, OrderConfirmed, OrderPlaced, OrderPlacedV1, OrderRejected } from './order-events.ts';
export { type OrderLine, orderLine } from './payloads.ts';
export { PaymentAuthorized, PaymentDeclined, PaymentVoided, VoidPayment } from './payment-events.ts';
export { inventoryTopic, ordersTopic, paymentsTopic } from './topics.ts';

/** Every event type of the order-fulfilment fleet, old versions included (they are still read). */
export const orderEvents: readonly EventType[] = [
  OrderPlacedV1,
  OrderPlaced,
  OrderCancelled,
  OrderConfirmed,
  OrderRejected,
  StockReserved,
  StockRejected,
  ReleaseStock,
  PaymentAuthorized,
  PaymentDeclined,
  VoidPayment,
  PaymentVoided,
];

export const orderCatalog = new EventCatalog(orderEvents);
