import { z } from 'zod';
import { defineEvent } from '../define-event.ts';
import { storableText } from '../storable-text.ts';
import { cents, currency, customerId, orderId, orderLine, timestamp } from './payloads.ts';
import { ordersTopic } from './topics.ts';

const exampleOrderId = '3f2c9a4e-8b1d-4c6f-9e2a-7d5b1c0e4f21';
const exampleLines = [
  { sku: 'BOOK-0451', quantity: 2, unitPrice: 1299 },
  { sku: 'MUG-0007', quantity: 1, unitPrice: 850 },
];

export const OrderPlacedV1 = defineEvent({
  name: 'OrderPlaced',
  version: 1,
  topic: ordersTopic,
  description: 'A customer placed an order (amounts implicitly in EUR). Superseded by v2.',
  schema: z.object({
    orderId,
    customerId,
    lines: z.array(orderLine).min(1),
    totalCents: cents,
    placedAt: timestamp,
  }),
  key: (e) => e.orderId,
  example: {
    orderId: exampleOrderId,
    customerId: 'cust-1042',
    lines: exampleLines,
    totalCents: 3448,
    placedAt: '2026-03-14T09:26:53.000Z',
  },
});

export const OrderPlaced = defineEvent({
  name: 'OrderPlaced',
  version: 2,
  topic: ordersTopic,
  description: 'A customer placed an order. v2 states the currency of its amounts; v1 records read as EUR.',
  schema: z.object({
    orderId,
    customerId,
    lines: z.array(orderLine).min(1),
    totalCents: cents,
    currency,
    placedAt: timestamp,
  }),
  key: (e) => e.orderId,
  example: {
    orderId: exampleOrderId,
    customerId: 'cust-1042',
    lines: exampleLines,
    totalCents: 3448,
    currency: 'EUR',
    placedAt: '2026-03-14T09:26:53.000Z',
  },
  upcastFrom: { event: OrderPlacedV1, upcast: (old) => ({ ...old, currency: 'EUR' }) },
});

export const OrderCancelled = defineEvent({
  name: 'OrderCancelled',
  version: 1,
  topic: ordersTopic,
  description:
    'The customer cancelled the order. A cancellation wins whenever it comes, even after OrderConfirmed: the order is cancelled and what it held is released.',
  schema: z.object({
    orderId,
    reason: storableText().min(1).max(500),
    cancelledAt: timestamp,
  }),
  key: (e) => e.orderId,
  example: { orderId: exampleOrderId, reason: 'Ordered by mistake', cancelledAt: '2026-03-14T09:31:00.000Z' },
});

export const OrderConfirmed = defineEvent({
  name: 'OrderConfirmed',
  version: 1,
  topic: ordersTopic,
  description:
    'Stock is reserved and payment authorised: the order will be shipped unless the customer cancels it (OrderCancelled wins, before or after this event).',
  schema: z.object({
    orderId,
    paymentId: storableText().min(1),
    totalCents: cents,
    currency,
    confirmedAt: timestamp,
  }),
  key: (e) => e.orderId,
  example: {
    orderId: exampleOrderId,
    paymentId: 'pay-7f3a91',
    totalCents: 3448,
    currency: 'EUR',
    confirmedAt: '2026-03-14T09:27:02.000Z',
  },
});

export const OrderRejected = defineEvent({
  name: 'OrderRejected',
  version: 1,
  topic: ordersTopic,
  description: 'The order cannot be fulfilled: stock was short or payment was declined.',
  schema: z.object({
    orderId,
    reason: z.enum(['OUT_OF_STOCK', 'PAYMENT_DECLINED', 'CANCELLED']),
    detail: storableText().max(500).optional(),
    rejectedAt: timestamp,
  }),
  key: (e) => e.orderId,
  example: {
    orderId: exampleOrderId,
    reason: 'PAYMENT_DECLINED',
    detail: 'Card expired',
    rejectedAt: '2026-03-14T09:27:02.000Z',
  },
});
