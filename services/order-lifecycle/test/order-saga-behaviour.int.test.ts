import { randomUUID } from 'node:crypto';
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
import {
  event,
  ProcessorSpec,
  type PublishedEvent,
  type SpecEvent,
  type SpecSchedules,
  serviceHttp,
  specSchedules,
} from '@fleet/processor';
import { createTestDatabase, infraSettings, type TestDatabase } from '@fleet/testkit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LifecycleDb } from '../src/lifecycle-db.ts';
import { orderLifecycle } from '../src/processor.ts';
import { orderData } from './saga-world.ts';

// Before the processor module is loaded: its expiry schedule reads the timeout once.
vi.hoisted(() => {
  process.env.ORDER_SAGA_TIMEOUT_MS = '1000';
});

const reservedAt = '2026-03-14T09:26:55.000Z';
const paidAt = '2026-03-14T09:27:00.000Z';

// The order saga's decisions, given/when/then on real PostgreSQL and the registry, without Kafka
// (ProcessorSpec runs the same decode → dedupe → handlers → outbox path), and its expiry schedule run
// on demand. Each when() returns everything the saga published for it, so "once" and "nothing else"
// are exact. The outcome on the wire, the schedule on its clock and the anomaly metric stay in
// order-saga.int.test.ts and saga-timeout.int.test.ts.
describe('order saga behaviour', () => {
  let database: TestDatabase;
  let spec: ProcessorSpec<LifecycleDb>;
  let schedules: SpecSchedules;

  beforeAll(async () => {
    database = await createTestDatabase('order_lifecycle_spec');
    const registryUrl = infraSettings().schemaRegistryUrl;
    spec = await ProcessorSpec.start(orderLifecycle, { databaseUrl: database.url, registryUrl });
    schedules = await specSchedules(orderLifecycle, spec.db, { registryUrl });
  });
  afterAll(async () => {
    await spec?.close();
    await database?.drop();
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
  const saga = (orderId: string) =>
    spec.db.selectFrom('order_sagas').selectAll().where('order_id', '=', orderId).executeTakeFirst();
  const stateOf = async (orderId: string) => (await saga(orderId))?.state;
  /** Applies the events; returns what the saga published about this order (none may be dead-lettered). */
  const apply = async (orderId: string, ...events: SpecEvent[]) => {
    const { published, deadLettered } = await spec.when(...events);
    expect(deadLettered).toEqual([]);
    return published.filter((p) => p.key === orderId);
  };
  const ofType = (published: PublishedEvent[], type: { type: string }) =>
    published.filter((p) => p.type === type.type);
  const anomaliesOf = (orderId: string) =>
    spec.db
      .selectFrom('saga_anomalies')
      .select(['kind', 'event_type'])
      .where('order_id', '=', orderId)
      .orderBy('event_type')
      .execute();
  /** Time passes: the saga was last touched `ms` ago (more than the 1 s timeout, far less than the default 15 min). */
  const age = (orderId: string, ms: number) =>
    sql`update order_sagas set updated_at = updated_at - make_interval(secs => ${ms / 1000})
        where order_id = ${orderId}`.execute(spec.db);

  it('happy path: placed → reserved → paid → confirmed, OrderConfirmed published once', async () => {
    const orderId = randomUUID();
    expect(await apply(orderId, event(OrderPlaced, orderData(orderId)))).toEqual([]);
    expect(await stateOf(orderId)).toBe('placed');
    expect(await apply(orderId, event(StockReserved, reservation(orderId)))).toEqual([]);
    expect(await stateOf(orderId)).toBe('reserved');
    const published = await apply(orderId, event(PaymentAuthorized, payment(orderId)));
    const confirmed = await saga(orderId);
    expect(confirmed?.state).toBe('confirmed');
    expect(confirmed?.version).toBe(4); // created, placed, reserved, confirmed
    expect(published.map((p) => p.type)).toEqual([OrderConfirmed.type]);
    expect(published[0]?.data).toEqual({
      orderId,
      paymentId: `pay-${orderId.slice(0, 8)}`,
      totalCents: 3448,
      currency: 'EUR',
      confirmedAt: paidAt,
    });
  });

  it('declined payment: OrderRejected and ReleaseStock published once, even when the decline is redelivered', async () => {
    const orderId = randomUUID();
    const before = await apply(
      orderId,
      event(OrderPlaced, orderData(orderId)),
      event(StockReserved, reservation(orderId)),
    );
    expect(before).toEqual([]);
    expect(await stateOf(orderId)).toBe('reserved');
    const decline = {
      orderId,
      reason: 'CARD_EXPIRED' as const,
      amountCents: 3448,
      currency: 'EUR',
      declinedAt: paidAt,
    };
    const declineId = randomUUID();
    const published = await apply(orderId, event(PaymentDeclined, decline, { id: declineId }));
    expect(await stateOf(orderId)).toBe('declined');
    // The same event again (a producer retry).
    expect(await apply(orderId, event(PaymentDeclined, decline, { id: declineId }))).toEqual([]);

    expect(ofType(published, ReleaseStock).map((p) => p.data)).toEqual([
      {
        orderId,
        reservationId: `res-${orderId.slice(0, 8)}`,
        reason: 'PAYMENT_DECLINED',
        requestedAt: paidAt,
      },
    ]);
    expect(ofType(published, OrderRejected).map((p) => p.data)).toMatchObject([
      { reason: 'PAYMENT_DECLINED', detail: 'CARD_EXPIRED' },
    ]);
    expect(published).toHaveLength(2);
  });

  it('cancelled after the reservation: ReleaseStock (ORDER_CANCELLED)', async () => {
    const orderId = randomUUID();
    await apply(orderId, event(OrderPlaced, orderData(orderId)), event(StockReserved, reservation(orderId)));
    expect(await stateOf(orderId)).toBe('reserved');
    const published = await apply(
      orderId,
      event(OrderCancelled, { orderId, reason: 'Ordered by mistake', cancelledAt: paidAt }),
    );
    expect(await stateOf(orderId)).toBe('cancelled');
    expect(ofType(published, ReleaseStock).map((p) => p.data)).toMatchObject([
      { reason: 'ORDER_CANCELLED', reservationId: `res-${orderId.slice(0, 8)}` },
    ]);
  });

  it('cancelled after confirmation: cancelled, ReleaseStock and VoidPayment published once each', async () => {
    const orderId = randomUUID();
    const confirmation = await apply(
      orderId,
      event(OrderPlaced, orderData(orderId)),
      event(StockReserved, reservation(orderId)),
      event(PaymentAuthorized, payment(orderId)),
    );
    expect(await stateOf(orderId)).toBe('confirmed');
    const cancel = { orderId, reason: 'Changed my mind', cancelledAt: '2026-03-14T09:30:00.000Z' };
    const compensation = await apply(orderId, event(OrderCancelled, cancel));
    expect(await stateOf(orderId)).toBe('cancelled');
    // Re-sent under a new event ID.
    expect(await apply(orderId, event(OrderCancelled, cancel))).toEqual([]);

    expect(ofType(compensation, ReleaseStock).map((p) => p.data)).toEqual([
      {
        orderId,
        reservationId: `res-${orderId.slice(0, 8)}`,
        reason: 'ORDER_CANCELLED',
        requestedAt: cancel.cancelledAt,
      },
    ]);
    expect(ofType(compensation, VoidPayment).map((p) => p.data)).toEqual([
      {
        orderId,
        paymentId: `pay-${orderId.slice(0, 8)}`,
        reason: 'ORDER_CANCELLED',
        requestedAt: cancel.cancelledAt,
      },
    ]);
    // Each type once, over the whole life of the order.
    expect([...confirmation, ...compensation].map((p) => p.type).sort()).toEqual(
      [OrderConfirmed.type, ReleaseStock.type, VoidPayment.type].sort(),
    );
  });

  it('payment and reservation before the order: a pending saga, confirmed when the order arrives', async () => {
    const orderId = randomUUID();
    const early = await apply(
      orderId,
      event(PaymentAuthorized, payment(orderId)),
      event(StockReserved, reservation(orderId)),
    );
    const pending = await saga(orderId);
    const context = (pending?.snapshot as { context?: { payment: unknown; reservation: unknown } })?.context;
    expect(pending?.state).toBe('awaitingOrder');
    expect(context?.payment).toBeTruthy();
    expect(context?.reservation).toBeTruthy();
    expect(early).toEqual([]);

    const published = await apply(orderId, event(OrderPlaced, orderData(orderId)));
    expect(await stateOf(orderId)).toBe('confirmed');
    expect(ofType(published, OrderConfirmed).map((p) => p.data)).toMatchObject([
      { totalCents: 3448, currency: 'EUR' },
    ]);
    expect(await anomaliesOf(orderId)).toEqual([
      { kind: 'EARLY_EVENT', event_type: StockReserved.type },
      { kind: 'EARLY_EVENT', event_type: PaymentAuthorized.type },
    ]);
  });

  it('a reservation before its order that is then cancelled: released; a later payment is voided and flagged', async () => {
    const orderId = randomUUID();
    await apply(orderId, event(StockReserved, reservation(orderId)));
    expect(await stateOf(orderId)).toBe('awaitingOrder');
    const release = await apply(
      orderId,
      event(OrderPlaced, orderData(orderId)),
      event(OrderCancelled, { orderId, reason: 'Too slow', cancelledAt: paidAt }),
    );
    expect(await stateOf(orderId)).toBe('cancelled');
    expect(ofType(release, ReleaseStock)).toHaveLength(1);

    const late = await apply(orderId, event(PaymentAuthorized, payment(orderId)));
    const flagged = await spec.db
      .selectFrom('saga_anomalies')
      .select('kind')
      .where('order_id', '=', orderId)
      .where('kind', '=', 'PAYMENT_AFTER_END')
      .execute();
    expect(flagged).toHaveLength(1);
    expect(ofType(late, VoidPayment).map((p) => p.data)).toMatchObject([
      { paymentId: `pay-${orderId.slice(0, 8)}`, reason: 'ORDER_CANCELLED' },
    ]);
    expect(await stateOf(orderId)).toBe('cancelled');

    // The service's HTTP routes as the runtime serves them.
    const api = await serviceHttp(orderLifecycle.http as NonNullable<typeof orderLifecycle.http>, spec.db);
    try {
      const res = await api.inject(`/sagas/${orderId}`);
      expect(res.statusCode).toBe(200);
      const body = res.json() as { state: string; anomalies: { kind: string }[] };
      expect(body.state).toBe('cancelled');
      expect(body.anomalies.map((a) => a.kind)).toContain('PAYMENT_AFTER_END');
      expect((await api.inject('/sagas/not-a-uuid')).statusCode).toBe(400);
    } finally {
      await api.close();
    }
  });

  it('times out an order whose payment never comes: cancelled, its stock released, once; a late payment is voided', async () => {
    const orderId = randomUUID();
    await apply(orderId, event(OrderPlaced, orderData(orderId)), event(StockReserved, reservation(orderId)));
    expect(await stateOf(orderId)).toBe('reserved');
    // Within the timeout the sweep leaves it alone.
    expect((await schedules.run('expire-stuck-sagas')).filter((p) => p.key === orderId)).toEqual([]);
    expect(await stateOf(orderId)).toBe('reserved');

    await age(orderId, 2_000);
    const expired = (await schedules.run('expire-stuck-sagas')).filter((p) => p.key === orderId);
    expect(await stateOf(orderId)).toBe('cancelled');
    expect(ofType(expired, OrderRejected).map((p) => p.data)).toMatchObject([
      { reason: 'CANCELLED', detail: expect.stringContaining('timed out') },
    ]);
    expect(ofType(expired, ReleaseStock).map((p) => p.data)).toMatchObject([
      { reason: 'ORDER_CANCELLED', reservationId: `res-${orderId.slice(0, 8)}` },
    ]);
    expect(expired).toHaveLength(2);
    // Its follow-ons descend from the timeout decision, once per order.
    expect(expired.map((p) => p.causationId)).toEqual([`saga-timeout:${orderId}`, `saga-timeout:${orderId}`]);

    // A payment that arrives after the timeout is voided, not confirmed (the cancelled state holds).
    const late = await apply(orderId, event(PaymentAuthorized, payment(orderId)));
    expect(ofType(late, VoidPayment).map((p) => p.data)).toMatchObject([{ reason: 'ORDER_CANCELLED' }]);
    expect(ofType(late, OrderConfirmed)).toEqual([]);

    // Later sweeps decide nothing twice.
    await age(orderId, 2_000);
    expect((await schedules.run('expire-stuck-sagas')).filter((p) => p.key === orderId)).toEqual([]);
    expect(await stateOf(orderId)).toBe('cancelled');
  });

  it('leaves a confirmed order alone when its time is up', async () => {
    const orderId = randomUUID();
    await apply(
      orderId,
      event(OrderPlaced, orderData(orderId)),
      event(StockReserved, reservation(orderId)),
      event(PaymentAuthorized, payment(orderId)),
    );
    expect(await stateOf(orderId)).toBe('confirmed');
    await age(orderId, 2_000);
    expect((await schedules.run('expire-stuck-sagas')).filter((p) => p.key === orderId)).toEqual([]);
    expect(await stateOf(orderId)).toBe('confirmed');
  });
});
