import { setTimeout as sleep } from 'node:timers/promises';
import {
  OrderPlaced,
  OrderRejected,
  PaymentAuthorized,
  ReleaseStock,
  StockReserved,
  VoidPayment,
} from '@fleet/contracts/orders';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { orderData, type SagaWorld, sagaWorld } from './saga-world.ts';

// Before the processor module is loaded: its schedule reads the timeout once.
vi.hoisted(() => {
  process.env.ORDER_SAGA_TIMEOUT_MS = '3000';
});

const reservedAt = '2026-03-14T09:26:55.000Z';

describe('order saga timeout on real Kafka, registry and Postgres', () => {
  let world: SagaWorld;

  beforeAll(async () => {
    world = await sagaWorld();
  });
  afterAll(async () => {
    await world?.close();
  });

  it('cancels an order whose payment never comes, releasing its stock, once', async () => {
    const orderId = world.newOrder();
    world.expectCause(`saga-timeout:${orderId}`);
    await world.send(OrderPlaced, orderData(orderId));
    const reservationId = `res-${orderId.slice(0, 8)}`;
    await world.send(StockReserved, {
      orderId,
      reservationId,
      warehouse: 'AMS-1',
      lines: [{ sku: 'BOOK-0451', quantity: 2 }],
      reservedAt,
    });
    await world.waitForState(orderId, 'reserved');
    await world.waitForState(orderId, 'cancelled');
    const [rejected] = await world.waitForPublished(orderId, OrderRejected);
    expect(rejected?.data).toMatchObject({
      reason: 'CANCELLED',
      detail: expect.stringContaining('timed out'),
    });
    const [release] = await world.waitForPublished(orderId, ReleaseStock);
    expect(release?.data).toMatchObject({ reason: 'ORDER_CANCELLED', reservationId });
    // A payment that arrives after the timeout is voided, not confirmed (the cancelled state holds).
    await world.send(PaymentAuthorized, {
      orderId,
      paymentId: `pay-${orderId.slice(0, 8)}`,
      amountCents: 3448,
      currency: 'EUR',
      authorizedAt: reservedAt,
    });
    const [voided] = await world.waitForPublished(orderId, VoidPayment);
    expect(voided?.data).toMatchObject({ reason: 'ORDER_CANCELLED' });
    await sleep(4_000); // more than a timeout and a sweep: nothing is decided twice
    expect(world.publishedFor(orderId, OrderRejected)).toHaveLength(1);
    expect(world.publishedFor(orderId, ReleaseStock)).toHaveLength(1);
    expect((await world.saga(orderId))?.state).toBe('cancelled');
  });

  it('leaves a confirmed order alone', async () => {
    const orderId = world.newOrder();
    await world.send(OrderPlaced, orderData(orderId));
    await world.send(StockReserved, {
      orderId,
      reservationId: `res-${orderId.slice(0, 8)}`,
      warehouse: 'AMS-1',
      lines: [{ sku: 'BOOK-0451', quantity: 2 }],
      reservedAt,
    });
    await world.send(PaymentAuthorized, {
      orderId,
      paymentId: `pay-${orderId.slice(0, 8)}`,
      amountCents: 3448,
      currency: 'EUR',
      authorizedAt: reservedAt,
    });
    await world.waitForState(orderId, 'confirmed');
    await sleep(5_000);
    expect((await world.saga(orderId))?.state).toBe('confirmed');
  });
});
