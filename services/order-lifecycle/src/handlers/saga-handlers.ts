import type { EventType } from '@fleet/contracts';
import type {
  OrderCancelled,
  OrderPlaced,
  PaymentAuthorized,
  PaymentDeclined,
  StockRejected,
  StockReserved,
} from '@fleet/contracts/orders';
import type { EventHandlerFor } from '@fleet/processor';
import type { OrderLifecycle } from '../processor.ts';
import { advanceSaga } from './advance-saga.ts';

// Each consumed event becomes one state-chart event carrying only what the saga needs.

type Handler<E extends EventType> = EventHandlerFor<OrderLifecycle, E>;

export const onOrderPlaced: Handler<typeof OrderPlaced> = async ({ data, meta }, ctx) => {
  const { customerId, totalCents, currency, placedAt } = data;
  await advanceSaga(ctx, meta, data.orderId, {
    type: 'ORDER_PLACED',
    at: placedAt,
    order: { customerId, totalCents, currency, placedAt },
  });
};

export const onOrderCancelled: Handler<typeof OrderCancelled> = async ({ data, meta }, ctx) => {
  await advanceSaga(ctx, meta, data.orderId, {
    type: 'ORDER_CANCELLED',
    at: data.cancelledAt,
    reason: data.reason,
  });
};

export const onStockReserved: Handler<typeof StockReserved> = async ({ data, meta }, ctx) => {
  await advanceSaga(ctx, meta, data.orderId, {
    type: 'STOCK_RESERVED',
    at: data.reservedAt,
    reservationId: data.reservationId,
  });
};

export const onStockRejected: Handler<typeof StockRejected> = async ({ data, meta }, ctx) => {
  await advanceSaga(ctx, meta, data.orderId, {
    type: 'STOCK_REJECTED',
    at: data.rejectedAt,
    skus: data.missing.map((m) => m.sku),
  });
};

export const onPaymentAuthorized: Handler<typeof PaymentAuthorized> = async ({ data, meta }, ctx) => {
  await advanceSaga(ctx, meta, data.orderId, {
    type: 'PAYMENT_AUTHORIZED',
    at: data.authorizedAt,
    paymentId: data.paymentId,
    amountCents: data.amountCents,
    currency: data.currency,
  });
};

export const onPaymentDeclined: Handler<typeof PaymentDeclined> = async ({ data, meta }, ctx) => {
  await advanceSaga(ctx, meta, data.orderId, {
    type: 'PAYMENT_DECLINED',
    at: data.declinedAt,
    reason: data.reason,
  });
};
