import {
  OrderCancelled,
  OrderConfirmed,
  OrderPlaced,
  PaymentAuthorized,
  StockReserved,
} from '@fleet/contracts/orders';
import { waitFor } from '@fleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderData, type SagaWorld, sagaWorld } from './saga-world.ts';

const reservedAt = '2026-03-14T09:26:55.000Z';
const paidAt = '2026-03-14T09:27:00.000Z';

// What needs the running service: its input from three topics, its outcome on the wire through the
// outbox relay, and its metrics. What the saga decides for given events (declines, cancellations,
// early and late events, redeliveries, timeouts) is tested without Kafka in
// order-saga-behaviour.int.test.ts.
describe('order saga on real Kafka, registry and Postgres', () => {
  let world: SagaWorld;

  beforeAll(async () => {
    world = await sagaWorld();
  });
  afterAll(async () => {
    await world?.close();
  });

  const reservation = (orderId: string) => ({
    orderId,
    reservationId: `res-${orderId.slice(0, 8)}`,
    warehouse: 'AMS-1',
    lines: [{ sku: 'BOOK-0451', quantity: 2 }],
    reservedAt,
  });
  const payment = (orderId: string) => ({
    orderId,
    paymentId: `pay-${orderId.slice(0, 8)}`,
    amountCents: 3448,
    currency: 'EUR',
    authorizedAt: paidAt,
  });

  it('happy path: placed → reserved → paid → confirmed, OrderConfirmed on the orders topic', async () => {
    const orderId = world.newOrder();
    await world.send(OrderPlaced, orderData(orderId));
    await world.waitForState(orderId, 'placed');
    await world.send(StockReserved, reservation(orderId));
    await world.waitForState(orderId, 'reserved');
    await world.send(PaymentAuthorized, payment(orderId));
    const saga = await world.waitForState(orderId, 'confirmed');
    expect(saga.version).toBe(4); // created, placed, reserved, confirmed

    const [confirmed] = await world.waitForPublished(orderId, OrderConfirmed);
    expect(confirmed?.data).toEqual({
      orderId,
      paymentId: `pay-${orderId.slice(0, 8)}`,
      totalCents: 3448,
      currency: 'EUR',
      confirmedAt: paidAt,
    });
    expect(world.publishedFor(orderId)).toHaveLength(1);
  });

  it('counts a payment after the end on /metrics, beside the runtime’s own instruments', async () => {
    const orderId = world.newOrder();
    await world.send(StockReserved, reservation(orderId));
    await world.waitForState(orderId, 'awaitingOrder');
    await world.send(OrderPlaced, orderData(orderId));
    await world.send(OrderCancelled, { orderId, reason: 'Too slow', cancelledAt: paidAt });
    await world.waitForState(orderId, 'cancelled');
    await world.send(PaymentAuthorized, payment(orderId));
    await waitFor('the late payment flagged', async () => {
      const rows = await world.db
        .selectFrom('saga_anomalies')
        .select('kind')
        .where('order_id', '=', orderId)
        .where('kind', '=', 'PAYMENT_AFTER_END')
        .execute();
      return rows.length === 1 ? true : undefined;
    });
    // Counted too, for alerting.
    const metrics = await (await fetch(`${world.runtime.internalAddress}/metrics`)).text();
    expect(metrics).toMatch(/^order_saga_anomalies_total\{kind="PAYMENT_AFTER_END"[,}].* [1-9]/m);
  });
});
