import { z } from 'zod';
import { defineEvent } from '../define-event.ts';
import { storableText } from '../storable-text.ts';
import { orderId, timestamp } from './payloads.ts';
import { inventoryTopic } from './topics.ts';

const exampleOrderId = '3f2c9a4e-8b1d-4c6f-9e2a-7d5b1c0e4f21';
const reservedLine = z.object({
  sku: storableText().min(1).max(64),
  quantity: z.number().int().positive(),
});

export const StockReserved = defineEvent({
  name: 'StockReserved',
  version: 1,
  topic: inventoryTopic,
  description: 'Every line of the order is reserved in a warehouse until released or shipped.',
  schema: z.object({
    orderId,
    reservationId: storableText().min(1),
    warehouse: storableText().min(1),
    lines: z.array(reservedLine).min(1),
    reservedAt: timestamp,
  }),
  key: (e) => e.orderId,
  example: {
    orderId: exampleOrderId,
    reservationId: 'res-5521',
    warehouse: 'AMS-1',
    lines: [
      { sku: 'BOOK-0451', quantity: 2 },
      { sku: 'MUG-0007', quantity: 1 },
    ],
    reservedAt: '2026-03-14T09:26:55.000Z',
  },
});

export const StockRejected = defineEvent({
  name: 'StockRejected',
  version: 1,
  topic: inventoryTopic,
  description: 'Some lines cannot be reserved; nothing was reserved for the order.',
  schema: z.object({
    orderId,
    missing: z
      .array(
        z.object({
          sku: storableText().min(1).max(64),
          requested: z.number().int().positive(),
          available: z.number().int().nonnegative(),
        }),
      )
      .min(1),
    rejectedAt: timestamp,
  }),
  key: (e) => e.orderId,
  example: {
    orderId: exampleOrderId,
    missing: [{ sku: 'MUG-0007', requested: 1, available: 0 }],
    rejectedAt: '2026-03-14T09:26:55.000Z',
  },
});

export const ReleaseStock = defineEvent({
  name: 'ReleaseStock',
  version: 1,
  topic: inventoryTopic,
  description: 'Command: release the reservation of an order that will not be fulfilled.',
  schema: z.object({
    orderId,
    reservationId: storableText().min(1),
    reason: z.enum(['PAYMENT_DECLINED', 'ORDER_CANCELLED']),
    requestedAt: timestamp,
  }),
  key: (e) => e.orderId,
  example: {
    orderId: exampleOrderId,
    reservationId: 'res-5521',
    reason: 'PAYMENT_DECLINED',
    requestedAt: '2026-03-14T09:27:01.000Z',
  },
});
