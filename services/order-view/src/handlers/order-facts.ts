import type { EventData, EventType } from '@fleet/contracts';
import {
  OrderCancelled,
  OrderConfirmed,
  OrderPlaced,
  OrderRejected,
  PaymentAuthorized,
  PaymentDeclined,
  PaymentVoided,
  ReleaseStock,
  StockRejected,
  StockReserved,
  VoidPayment,
} from '@fleet/contracts/orders';
import type { Insertable } from 'kysely';
import type { OrderSummaryRow } from '../view-db.ts';

/** The columns one event contributes to its order's summary, and its business time for the timeline. */
export interface OrderFact {
  orderId: string;
  at: string;
  columns: Omit<Insertable<OrderSummaryRow>, 'order_id' | 'status' | 'updated_at'>;
}

export type FactOf<E> = (data: EventData<E>) => OrderFact;

export interface FactMapping<E extends EventType = EventType> {
  event: E;
  fact: FactOf<E>;
}

const mapping = <E extends EventType>(event: E, fact: FactOf<E>): FactMapping =>
  ({ event, fact }) as FactMapping;

/** Every event the view projects, and what it knows from each. */
export const orderFactMappings: FactMapping[] = [
  mapping(OrderPlaced, (d) => ({
    orderId: d.orderId,
    at: d.placedAt,
    columns: {
      customer_id: d.customerId,
      currency: d.currency,
      total_cents: d.totalCents,
      lines: JSON.stringify(d.lines),
      placed_at: d.placedAt,
    },
  })),
  mapping(OrderCancelled, (d) => ({
    orderId: d.orderId,
    at: d.cancelledAt,
    columns: { cancelled_at: d.cancelledAt, cancel_reason: d.reason },
  })),
  mapping(StockReserved, (d) => ({
    orderId: d.orderId,
    at: d.reservedAt,
    columns: { reservation_id: d.reservationId, warehouse: d.warehouse, reserved_at: d.reservedAt },
  })),
  mapping(StockRejected, (d) => ({
    orderId: d.orderId,
    at: d.rejectedAt,
    columns: { stock_rejected_at: d.rejectedAt },
  })),
  mapping(ReleaseStock, (d) => ({
    orderId: d.orderId,
    at: d.requestedAt,
    columns: { release_requested_at: d.requestedAt },
  })),
  mapping(PaymentAuthorized, (d) => ({
    orderId: d.orderId,
    at: d.authorizedAt,
    columns: { payment_id: d.paymentId, authorized_cents: d.amountCents, authorized_at: d.authorizedAt },
  })),
  mapping(PaymentDeclined, (d) => ({
    orderId: d.orderId,
    at: d.declinedAt,
    columns: { declined_at: d.declinedAt, decline_reason: d.reason },
  })),
  mapping(VoidPayment, (d) => ({
    orderId: d.orderId,
    at: d.requestedAt,
    columns: { void_requested_at: d.requestedAt },
  })),
  mapping(PaymentVoided, (d) => ({
    orderId: d.orderId,
    at: d.voidedAt,
    columns: { payment_voided_at: d.voidedAt },
  })),
  mapping(OrderConfirmed, (d) => ({
    orderId: d.orderId,
    at: d.confirmedAt,
    columns: { confirmed_at: d.confirmedAt, payment_id: d.paymentId },
  })),
  mapping(OrderRejected, (d) => ({
    orderId: d.orderId,
    at: d.rejectedAt,
    columns: { rejected_at: d.rejectedAt, rejection_reason: d.reason },
  })),
];
