import { z } from 'zod';
import { defineEvent } from '../define-event.ts';
import { storableText } from '../storable-text.ts';
import { cents, currency, orderId, timestamp } from './payloads.ts';
import { paymentsTopic } from './topics.ts';

const exampleOrderId = '3f2c9a4e-8b1d-4c6f-9e2a-7d5b1c0e4f21';

export const PaymentAuthorized = defineEvent({
  name: 'PaymentAuthorized',
  version: 1,
  topic: paymentsTopic,
  description: 'The payment provider authorised the order total; it is captured at shipping.',
  schema: z.object({
    orderId,
    paymentId: storableText().min(1),
    amountCents: cents,
    currency,
    authorizedAt: timestamp,
  }),
  key: (e) => e.orderId,
  example: {
    orderId: exampleOrderId,
    paymentId: 'pay-7f3a91',
    amountCents: 3448,
    currency: 'EUR',
    authorizedAt: '2026-03-14T09:27:00.000Z',
  },
});

export const PaymentDeclined = defineEvent({
  name: 'PaymentDeclined',
  version: 1,
  topic: paymentsTopic,
  description: 'The payment provider declined the order total.',
  schema: z.object({
    orderId,
    reason: z.enum(['INSUFFICIENT_FUNDS', 'CARD_EXPIRED', 'FRAUD_SUSPECTED', 'PROVIDER_ERROR']),
    amountCents: cents,
    currency,
    declinedAt: timestamp,
  }),
  key: (e) => e.orderId,
  example: {
    orderId: exampleOrderId,
    reason: 'CARD_EXPIRED',
    amountCents: 3448,
    currency: 'EUR',
    declinedAt: '2026-03-14T09:27:00.000Z',
  },
});

export const VoidPayment = defineEvent({
  name: 'VoidPayment',
  version: 1,
  topic: paymentsTopic,
  description:
    'Command: release the authorisation of an order that will not be fulfilled (cancelled after its payment was authorised).',
  schema: z.object({
    orderId,
    paymentId: storableText().min(1),
    reason: z.enum(['ORDER_CANCELLED']),
    requestedAt: timestamp,
  }),
  key: (e) => e.orderId,
  example: {
    orderId: exampleOrderId,
    paymentId: 'pay-7f3a91',
    reason: 'ORDER_CANCELLED',
    requestedAt: '2026-03-14T09:31:00.000Z',
  },
});

export const PaymentVoided = defineEvent({
  name: 'PaymentVoided',
  version: 1,
  topic: paymentsTopic,
  description: 'The authorisation was released: nothing will be captured for this order.',
  schema: z.object({
    orderId,
    paymentId: storableText().min(1),
    amountCents: cents,
    currency,
    voidedAt: timestamp,
  }),
  key: (e) => e.orderId,
  example: {
    orderId: exampleOrderId,
    paymentId: 'pay-7f3a91',
    amountCents: 3448,
    currency: 'EUR',
    voidedAt: '2026-03-14T09:31:01.000Z',
  },
});
