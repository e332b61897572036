import { setTimeout as sleep } from 'node:timers/promises';
import {
  OrderCancelled,
  OrderConfirmed,
  OrderPlaced,
  OrderRejected,
  PaymentAuthorized,
  PaymentDeclined,
  ReleaseStock,
  StockReserved,
  VoidPayment,
} from '@fleet/contracts/orders';
import { waitFor } from '@fleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderData, type SagaWorld, sagaWorld } from './saga-world.ts';

const reservedAt = '2026-03-14T09:26:55.000Z';
const paidAt = '2026-03-14T09:27:00.000Z';

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

  it('happy path: placed → reserved → paid → confirmed, OrderConfirmed published once', async () => {
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
    await sleep(500);
    expect(world.publishedFor(orderId)).toHaveLength(1);
  });

  it('declined payment: OrderRejected and ReleaseStock published once, even when the decline is redelivered', async () => {
    const orderId = world.newOrder();
    await world.send(OrderPlaced, orderData(orderId));
    await world.send(StockReserved, reservation(orderId));
    await world.waitForState(orderId, 'reserved');
    const decline = {
      orderId,
      reason: 'CARD_EXPIRED' as const,
      amountCents: 3448,
      currency: 'EUR',
      declinedAt: paidAt,
    };
    const declineId = await world.send(PaymentDeclined, decline);
    await world.waitForState(orderId, 'declined');
    await world.send(PaymentDeclined, decline, declineId); // the same event again (producer retry)

    const [release] = await world.waitForPublished(orderId, ReleaseStock);
    expect(release?.data).toEqual({
      orderId,
      reservationId: `res-${orderId.slice(0, 8)}`,
      reason: 'PAYMENT_DECLINED',
      requestedAt: paidAt,
    });
    const [rejected] = await world.waitForPublished(orderId, OrderRejected);
    expect(rejected?.data).toMatchObject({ reason: 'PAYMENT_DECLINED', detail: 'CARD_EXPIRED' });
    await sleep(1000);
    expect(world.publishedFor(orderId, ReleaseStock)).toHaveLength(1);
    expect(world.publishedFor(orderId)).toHaveLength(2);
  });

  it('cancelled after the reservation: ReleaseStock (ORDER_CANCELLED)', async () => {
    const orderId = world.newOrder();
    await world.send(OrderPlaced, orderData(orderId));
    await world.send(StockReserved, reservation(orderId));
    await world.waitForState(orderId, 'reserved');
    await world.send(OrderCancelled, { orderId, reason: 'Ordered by mistake', cancelledAt: paidAt });
    await world.waitForState(orderId, 'cancelled');
    const [release] = await world.waitForPublished(orderId, ReleaseStock);
    expect(release?.data).toMatchObject({
      reason: 'ORDER_CANCELLED',
      reservationId: `res-${orderId.slice(0, 8)}`,
    });
  });

  it('cancelled after confirmation: cancelled, ReleaseStock and VoidPayment published once each', async () => {
    const orderId = world.newOrder();
    await world.send(OrderPlaced, orderData(orderId));
    await world.send(StockReserved, reservation(orderId));
    await world.send(PaymentAuthorized, payment(orderId));
    await world.waitForState(orderId, 'confirmed');
    const cancel = { orderId, reason: 'Changed my mind', cancelledAt: '2026-03-14T09:30:00.000Z' };
    await world.send(OrderCancelled, cancel);
    await world.waitForState(orderId, 'cancelled');
    await world.send(OrderCancelled, cancel); // re-sent under a new event ID

    const [release] = await world.waitForPublished(orderId, ReleaseStock);
    expect(release?.data).toEqual({
      orderId,
      reservationId: `res-${orderId.slice(0, 8)}`,
      reason: 'ORDER_CANCELLED',
      requestedAt: cancel.cancelledAt,
    });
    const [voided] = await world.waitForPublished(orderId, VoidPayment);
    expect(voided?.data).toEqual({
      orderId,
      paymentId: `pay-${orderId.slice(0, 8)}`,
      reason: 'ORDER_CANCELLED',
      requestedAt: cancel.cancelledAt,
    });
    await sleep(1000);
    // Three topics: compare as a set, each type once.
    expect(
      world
        .publishedFor(orderId)
        .map((p) => p.type)
        .sort(),
    ).toEqual([OrderConfirmed.type, ReleaseStock.type, VoidPayment.type].sort());
  });

  it('payment and reservation before the order: a pending saga, confirmed when the order arrives', async () => {
    const orderId = world.newOrder();
    await world.send(PaymentAuthorized, payment(orderId));
    await world.send(StockReserved, reservation(orderId));
    await waitFor('both early facts recorded', async () => {
      const saga = await world.saga(orderId);
      const context = (saga?.snapshot as { context?: { payment: unknown; reservation: unknown } })?.context;
      return saga?.state === 'awaitingOrder' && context?.payment && context.reservation ? true : undefined;
    });
    expect(world.publishedFor(orderId)).toHaveLength(0);
    await world.send(OrderPlaced, orderData(orderId));
    await world.waitForState(orderId, 'confirmed');
    const [confirmed] = await world.waitForPublished(orderId, OrderConfirmed);
    expect(confirmed?.data).toMatchObject({ totalCents: 3448, currency: 'EUR' });

    const anomalies = await world.db
      .selectFrom('saga_anomalies')
      .select(['kind', 'event_type'])
      .where('order_id', '=', orderId)
      .orderBy('event_type')
      .execute();
    expect(anomalies).toEqual([
      { kind: 'EARLY_EVENT', event_type: StockReserved.type },
      { kind: 'EARLY_EVENT', event_type: PaymentAuthorized.type },
    ]);
  });

  it('a reservation before its order that is then cancelled: released; a later payment is voided and flagged', async () => {
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
    await world.waitForPublished(orderId, ReleaseStock);
    const [voided] = await world.waitForPublished(orderId, VoidPayment);
    expect(voided?.data).toMatchObject({
      paymentId: `pay-${orderId.slice(0, 8)}`,
      reason: 'ORDER_CANCELLED',
    });
    expect((await world.saga(orderId))?.state).toBe('cancelled');

    const res = await fetch(`${world.runtime.httpAddress}/sagas/${orderId}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { state: string; anomalies: { kind: string }[] };
    expect(body.state).toBe('cancelled');
    expect(body.anomalies.map((a) => a.kind)).toContain('PAYMENT_AFTER_END');
    expect((await fetch(`${world.runtime.httpAddress}/sagas/not-a-uuid`)).status).toBe(400);

    // Counted too, for alerting: on the service's /metrics beside the runtime's own instruments.
    const metrics = await (await fetch(`${world.runtime.httpAddress}/metrics`)).text();
    expect(metrics).toMatch(/^order_saga_anomalies_total\{kind="PAYMENT_AFTER_END"[,}].* [1-9]/m);
  });
});
