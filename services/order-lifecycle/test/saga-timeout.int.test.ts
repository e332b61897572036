import { OrderPlaced, OrderRejected, ReleaseStock, StockReserved } from '@fleet/contracts/orders';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { orderData, type SagaWorld, sagaWorld } from './saga-world.ts';

// Before the processor module is loaded: its schedule reads the timeout once.
vi.hoisted(() => {
  process.env.ORDER_SAGA_TIMEOUT_MS = '3000';
});

const reservedAt = '2026-03-14T09:26:55.000Z';

// What needs the running service: the expiry schedule on its clock, and its follow-ons on the wire.
// What a sweep decides (once, a late payment voided, a confirmed order left alone) is tested with the
// schedule run on demand in order-saga-behaviour.int.test.ts.
describe('order saga timeout on real Kafka, registry and Postgres', () => {
  let world: SagaWorld;

  beforeAll(async () => {
    world = await sagaWorld();
  });
  afterAll(async () => {
    await world?.close();
  });

  it('cancels an order whose payment never comes on its own clock, releasing its stock', async () => {
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
  });
});
