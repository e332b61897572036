import type { EventData } from '@fleet/contracts';
import type {
  OrderCancelled,
  OrderPlaced,
  PaymentAuthorized,
  PaymentDeclined,
  StockRejected,
  StockReserved,
} from '@fleet/contracts/orders';
import type { EventHandler } from '@fleet/processor';
import type { LifecycleDb } from '../lifecycle-db.ts';
import { advanceSaga } from './advance-saga.ts';

// Each consumed event becomes one state-chart event carrying only what the saga needs.

type Handler<E> = EventHandler<EventData<E>, LifecycleDb>;

export const onOrderPlaced: Handler<typeof OrderPlaced> = async ({ data }, ctx) => {
  const { customerId, totalCents, currency, placedAt } = data;
  await advanceSaga(ctx, data.orderId, {
    type: 'ORDER_PLACED',
    at: placedAt,
    order: { customerId, totalCents, currency, placedAt },
  });
};

export const onOrderCancelled: Handler<typeof OrderCancelled> = async ({ data }, ctx) => {
  await advanceSaga(ctx, data.orderId, {
    type: 'ORDER_CANCELLED',
    at: data.cancelledAt,
    reason: data.reason,
  });
};

export const onStockReserved: Handler<typeof StockReserved> = async ({ data }, ctx) => {
  await advanceSaga(ctx, data.orderId, {
    type: 'STOCK_RESERVED',
    at: data.reservedAt,
    reservationId: data.reservationId,
  });
};

export const onStockRejected: Handler<typeof StockRejected> = async ({ data }, ctx) => {
  await advanceSaga(ctx, data.orderId, {
    type: 'STOCK_REJECTED',
    at: data.rejectedAt,
    skus: data.missing.map((m) => m.sku),
  });
};

export const onPaymentAuthorized: Handler<typeof PaymentAuthorized> = async ({ data }, ctx) => {
  await advanceSaga(ctx, data.orderId, {
    type: 'PAYMENT_AUTHORIZED',
    at: data.authorizedAt,
    paymentId: data.paymentId,
    amountCents: data.amountCents,
    currency: data.currency,
  });
};

export const onPaymentDeclined: Handler<typeof PaymentDeclined> = async ({ data }, ctx) => {
  await advanceSaga(ctx, data.orderId, {
    type: 'PAYMENT_DECLINED',
    at: data.declinedAt,
    reason: data.reason,
  });
};
