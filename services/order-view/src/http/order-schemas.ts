import { errorResponseSchema } from '@fleet/processor';
import { z } from 'zod';
import { orderStatuses } from '../order-status.ts';

// The API's contract: the routes validate and serialise with these, and /openapi.json is generated
// from them, so the document cannot drift from what the service does.

const timestamp = z.iso.datetime().describe('RFC 3339 timestamp (UTC)');
const cents = z.int().nonnegative().describe('Amount in cents (minor units)');

export const orderStatus = z
  .enum(orderStatuses)
  .describe(
    "Derived by precedence over the facts seen, not by arrival: CANCELLED (the customer's cancellation wins, even after a confirmation) > CONFIRMED/REJECTED (saga verdict) > REJECTED (failed step) > PAID > RESERVED > PLACED",
  );

export const rejectionReason = z.enum(['OUT_OF_STOCK', 'PAYMENT_DECLINED', 'CANCELLED']);

export const timelineEntry = z.object({
  at: timestamp.describe('Business time of the event (from its payload)'),
  type: z.string().describe('Event name, e.g. OrderPlaced'),
  eventId: z.string(),
});

export const orderLineView = z.object({
  sku: z.string(),
  quantity: z.int().positive(),
  unitPrice: cents,
  lineTotalCents: cents,
});

export const orderListItem = z
  .object({
    orderId: z.uuid(),
    customerId: z.string(),
    status: orderStatus,
    rejectionReason: rejectionReason.nullable(),
    currency: z.string().regex(/^[A-Z]{3}$/),
    totalCents: cents,
    itemCount: z.int().nonnegative().describe('Units over all lines'),
    placedAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'OrderListItem' });

export const orderSummary = orderListItem
  .extend({
    lines: z.array(orderLineView),
    reservation: z
      .object({ reservationId: z.string(), warehouse: z.string(), reservedAt: timestamp })
      .nullable(),
    payment: z
      .object({ paymentId: z.string(), amountCents: cents.nullable(), authorizedAt: timestamp.nullable() })
      .nullable(),
    voidRequestedAt: timestamp
      .nullable()
      .describe(
        'When the saga asked to void the payment (VoidPayment: cancelled after its payment was authorised)',
      ),
    paymentVoidedAt: timestamp
      .nullable()
      .describe('When the payment authorisation was voided (PaymentVoided): nothing will be captured'),
    timeline: z.array(timelineEntry).describe('Every event of the order, sorted by event time'),
  })
  .meta({ id: 'OrderSummary' });

export const orderList = z
  .object({
    items: z.array(orderListItem),
    nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page'),
  })
  .meta({ id: 'OrderList' });

/** The fleet's error body with the codes this API answers with (docs/errors.md). */
export const problem = errorResponseSchema(['VALIDATION_FAILED', 'NOT_FOUND', 'INTERNAL'], 'OrderViewError');

export const orderParams = z.object({ id: z.uuid({ error: 'must be an order ID (UUID)' }) });

export const listQuery = z.strictObject({
  status: orderStatus.optional(),
  customerId: z.string().min(1).max(64).optional(),
  limit: z.coerce
    .number({ error: (issue) => (issue.code === 'invalid_type' ? 'must be a number' : undefined) })
    .int()
    .min(1)
    .max(100)
    .default(20)
    .describe('Page size, 1–100 (default 20)'),
  cursor: z.string().min(1).max(200).optional().describe('The `nextCursor` of the previous page'),
});

export type OrderSummary = z.infer<typeof orderSummary>;
export type OrderListItem = z.infer<typeof orderListItem>;
export type ListQuery = z.infer<typeof listQuery>;
