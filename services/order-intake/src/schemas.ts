import { orderLine, storableText } from '@fleet/contracts';
import { errorResponseSchema } from '@fleet/service-kit';
import { z } from 'zod';

/**
 * The HTTP contract, one source for validation and the OpenAPI document. Field rules mirror the
 * OrderPlaced v2 / OrderCancelled contracts (the producer validates the event again before sending).
 * Objects are strict: a misspelt optional field (`orderID`) is a 400, not silently dropped.
 * Every free-text string is `storableText()` (the contracts' rule: no NUL, no lone surrogate, no control
 * character but tab/LF/CR), so what downstream processors cannot store is a 400 here, before anything
 * is published; `sku` gets it from the contracts' `orderLine`. The other strings are UUIDs, the ISO
 * currency code and the printable-ASCII headers, whose own formats already exclude those characters.
 */
export const maxLinesPerOrder = 200;

const uuid = z.uuid();
const storableRule =
  'Text: no NUL (U+0000), no unpaired UTF-16 surrogate, no control character other than tab, line feed and carriage return.';

export const placeOrderBody = z
  .strictObject({
    orderId: uuid
      .optional()
      .describe(
        'Optional: your own order ID (UUID). Omitted: the server assigns one, derived from the Idempotency-Key when given so that retries keep it.',
      ),
    customerId: storableText().min(1).max(64).describe(`The customer who placed the order. ${storableRule}`),
    lines: z
      .array(orderLine.strict())
      .min(1)
      .max(maxLinesPerOrder)
      .describe(`Order lines, 1 to ${maxLinesPerOrder}. Prices are integer cents.`),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code of three upper-case letters, e.g. EUR')
      .describe('ISO 4217 currency code of every amount, e.g. EUR.'),
  })
  .superRefine((order, ctx) => {
    if (!Number.isSafeInteger(orderTotalCents(order.lines)))
      ctx.addIssue({
        code: 'custom',
        path: ['lines'],
        message: 'the order total exceeds the largest amount in cents',
      });
  })
  .meta({ id: 'PlaceOrderRequest' });
export type PlaceOrderBody = z.output<typeof placeOrderBody>;

export function orderTotalCents(lines: readonly { quantity: number; unitPrice: number }[]): number {
  return lines.reduce((sum, l) => sum + l.quantity * l.unitPrice, 0);
}

export const cancelOrderParams = z.strictObject({ orderId: uuid.describe('The order to cancel.') });

export const cancelOrderBody = z
  .strictObject({
    reason: storableText().trim().min(1).max(500).describe(`Why the order is cancelled. ${storableRule}`),
  })
  .meta({ id: 'CancelOrderRequest' });
export type CancelOrderBody = z.output<typeof cancelOrderBody>;

/** Printable ASCII without spaces, as most clients send (UUIDs, ULIDs, hashes). */
const token = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces');

// Loose: the validated object replaces request.headers, so every other header must survive.
export const commandHeaders = z.looseObject({
  'idempotency-key': token(255)
    .optional()
    .describe('Makes retries safe: the same key and body answer the same IDs and publish once.'),
  'x-correlation-id': token(128)
    .optional()
    .describe('Carried on the event as its correlation ID; generated when absent. Echoed in the response.'),
});

export const placeOrderAccepted = z
  .strictObject({ orderId: uuid, eventId: uuid })
  .meta({ id: 'OrderAccepted', description: 'The OrderPlaced event was published (acknowledged by Kafka).' });
export type PlaceOrderAccepted = z.output<typeof placeOrderAccepted>;

export const cancelOrderAccepted = z.strictObject({ eventId: uuid }).meta({
  id: 'CancellationAccepted',
  description: 'The OrderCancelled event was published (acknowledged by Kafka).',
});
export type CancelOrderAccepted = z.output<typeof cancelOrderAccepted>;

/** The codes the intake answers with (each one's meaning and status: docs/errors.md). */
export const errorResponse = errorResponseSchema(
  [
    'VALIDATION_FAILED',
    'INVALID_JSON',
    'UNAUTHORIZED',
    'FORBIDDEN',
    'ORDER_ID_TAKEN',
    'IDEMPOTENCY_KEY_REUSED',
    'IDEMPOTENCY_KEY_IN_PROGRESS',
    'PAYLOAD_TOO_LARGE',
    'UNSUPPORTED_MEDIA_TYPE',
    'RATE_LIMITED',
    'NOT_FOUND',
    'UNAVAILABLE',
    'INTERNAL',
  ],
  'OrderIntakeError',
);
export type ErrorResponse = z.output<typeof errorResponse>;

const json = <S extends z.ZodType>(schema: S, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

/** The error responses every command route may answer. */
export const commandErrorResponses = {
  400: json(errorResponse, 'VALIDATION_FAILED (every failing field in `error.details`) or INVALID_JSON.'),
  401: json(errorResponse, 'UNAUTHORIZED: no API key, or not one the operator issued.'),
  409: json(
    errorResponse,
    'IDEMPOTENCY_KEY_REUSED (same key, different request), IDEMPOTENCY_KEY_IN_PROGRESS (retry after Retry-After) or ORDER_ID_TAKEN (the order ID belongs to another client).',
  ),
  413: json(errorResponse, 'PAYLOAD_TOO_LARGE: the body exceeds the size limit.'),
  415: json(errorResponse, 'UNSUPPORTED_MEDIA_TYPE: send Content-Type: application/json.'),
  429: json(
    errorResponse,
    'RATE_LIMITED: too many requests from this client or this address; see Retry-After.',
  ),
  503: json(
    errorResponse,
    'UNAVAILABLE: Kafka or Redis (idempotency keys, order owners) failed. Retry with the same Idempotency-Key: the event is not duplicated.',
  ),
};

/** Cancel only: the order belongs to another client. */
export const forbiddenResponse = json(errorResponse, 'FORBIDDEN: the order belongs to another client.');

export function accepted<S extends z.ZodType>(schema: S, description: string) {
  return json(schema, description);
}
