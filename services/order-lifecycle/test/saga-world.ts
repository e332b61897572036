import { randomUUID } from 'node:crypto';
import { applyTopicPlan, type EventType, planTopics } from '@fleet/contracts';
import {
  inventoryTopic,
  OrderPlaced,
  orderEvents,
  ordersTopic,
  paymentsTopic,
} from '@fleet/contracts/orders';
import { connectTestProducer, startServiceRuntime } from '@fleet/order-testkit';
import type { FleetProducer } from '@fleet/producer';
import { createTestDatabase, kyselyFor, testKafka, uniqueName, waitFor } from '@fleet/testkit';
import type { Consumer } from 'kafkajs';
import type { Kysely } from 'kysely';
import type { LifecycleDb } from '../src/lifecycle-db.ts';
import { orderLifecycle } from '../src/processor.ts';

export interface Published {
  type: string;
  key: string;
  id: string;
  data: Record<string, unknown>;
}

/**
 * The saga on real infrastructure: shared order topics, a database and consumer group of its own, a
 * producer for the input and a collector of what the saga publishes (only records produced after it
 * joined, keyed by this test's orders).
 */
export async function sagaWorld() {
  const kafka = testKafka('order-lifecycle-test');
  const admin = kafka.admin();
  await admin.connect();
  await applyTopicPlan(admin, await planTopics(admin, [ordersTopic, inventoryTopic, paymentsTopic]));
  const database = await createTestDatabase('order_lifecycle');
  const producer: FleetProducer = await connectTestProducer('/test/checkout', orderEvents);
  const db = kyselyFor<LifecycleDb>(database.url).withSchema(orderLifecycle.name);

  const mine = new Set<string>();
  // Other test files' inventory and payments instances answer this test's events too (same topics);
  // what the saga publishes because of them is theirs. Kept: output caused by what this test sent.
  const sent = new Set<string>();
  const published: Published[] = [];
  const collector: Consumer = kafka.consumer({ groupId: uniqueName('saga-out') });
  await collector.connect();
  await collector.subscribe({
    topics: [ordersTopic.name, inventoryTopic.name, paymentsTopic.name],
    fromBeginning: false,
  });
  const joined = new Promise<void>((resolve) => collector.on(collector.events.GROUP_JOIN, () => resolve()));
  await collector.run({
    eachMessage: async ({ message }) => {
      const key = message.key?.toString() ?? '';
      const type = message.headers?.ce_type?.toString() ?? '';
      const source = message.headers?.ce_source?.toString() ?? '';
      const id = message.headers?.ce_id?.toString() ?? '';
      const causation = message.headers?.ce_causationid?.toString() ?? '';
      if (!sent.has(causation)) return;
      // Another saga instance on the same topics (a parallel run) publishes the same deterministic IDs.
      if (!mine.has(key) || !source.includes(orderLifecycle.name) || !message.value) return;
      if (published.some((p) => p.id === id)) return;
      const { data } = await producer.codec.decodeAny(message.value);
      published.push({
        type,
        key,
        id: message.headers?.ce_id?.toString() ?? '',
        data: data as Record<string, unknown>,
      });
    },
  });
  await joined;

  const runtime = await startServiceRuntime(orderLifecycle, { databaseUrl: database.url });

  const world = {
    db,
    runtime,
    producer,
    published,
    /** A fresh order ID whose output the collector keeps. */
    newOrder(): string {
      const id = randomUUID();
      mine.add(id);
      return id;
    },
    async send<T>(type: EventType<T>, data: T, id?: string): Promise<string> {
      if (id) sent.add(id);
      const eventId = await producer.publish(type, data, id ? { id } : {});
      sent.add(eventId);
      return eventId;
    },
    /** Keeps what the saga publishes because of a decision of its own (a schedule's cause ID). */
    expectCause(id: string): void {
      sent.add(id);
    },
    saga: (orderId: string) =>
      db.selectFrom('order_sagas').selectAll().where('order_id', '=', orderId).executeTakeFirst(),
    async waitForState(orderId: string, state: string) {
      return waitFor(`order ${orderId} in state ${state}`, async () => {
        const saga = await world.saga(orderId);
        return saga?.state === state ? saga : undefined;
      });
    },
    publishedFor: (orderId: string, type?: EventType) =>
      published.filter((p) => p.key === orderId && (!type || p.type === type.type)),
    async waitForPublished(orderId: string, type: EventType, count = 1) {
      return waitFor(`${count} ${type.name} for ${orderId}`, () => {
        const found = world.publishedFor(orderId, type);
        return found.length >= count ? found : undefined;
      });
    },
    async close() {
      await runtime.stop();
      await collector.disconnect();
      await producer.disconnect();
      await admin.disconnect();
      await (db as unknown as Kysely<LifecycleDb>).destroy();
      await database.drop();
    },
  };
  return world;
}

export type SagaWorld = Awaited<ReturnType<typeof sagaWorld>>;

export const orderData = (orderId: string) => ({
  orderId,
  customerId: 'cust-1042',
  lines: [
    { sku: 'BOOK-0451', quantity: 2, unitPrice: 1299 },
    { sku: 'MUG-0007', quantity: 1, unitPrice: 850 },
  ],
  totalCents: 3448,
  currency: 'EUR',
  placedAt: '2026-03-14T09:26:53.000Z',
});

export { OrderPlaced };
