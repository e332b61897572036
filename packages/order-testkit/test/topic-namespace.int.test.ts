import { randomUUID } from 'node:crypto';
import { type EventData, namespacedTopicName } from '@fleet/contracts';
import {
  inventoryTopic,
  OrderPlaced,
  orderCatalog,
  ordersTopic,
  paymentsTopic,
} from '@fleet/contracts/orders';
import type { ProcessorDefinition, ProcessorRuntime } from '@fleet/processor';
import type { FleetProducer } from '@fleet/producer';
import {
  createTestDatabase,
  infraSettings,
  kyselyFor,
  readTopic,
  type TestDatabase,
  testKafka,
  topicSize,
  uniqueName,
  waitFor,
} from '@fleet/testkit';
import type { Admin } from 'kafkajs';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inventory } from '../../../services/inventory/src/processor.ts';
import { paymentsProcessor } from '../../../services/payments/src/processor.ts';
import {
  defaultRulesFile,
  loadPaymentRules,
} from '../../../services/payments/src/rules/load-payment-rules.ts';
import {
  connectTestProducer,
  ensureOrderTopics,
  startServiceRuntime,
  waitForProcessed,
} from '../src/index.ts';

// What `./fleetw start` runs on: the plain topics, the dead-letter topics of its processors, and the
// processors' schemas in the default database. A test must leave nothing there, and read nothing from there.
const demoTopics = ['orders', 'inventory', 'payments', 'inventory.dlq', 'payments.dlq'];

describe('tests and the demo never share topics or databases', () => {
  const kafka = testKafka('namespace-test');
  let admin: Admin;
  let database: TestDatabase;
  let producer: FleetProducer | undefined;
  const runtimes: ProcessorRuntime<unknown>[] = [];
  const prefix = process.env.FLEET_TOPIC_PREFIX ?? '';

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
    database = await createTestDatabase('namespace');
  });
  afterAll(async () => {
    await producer?.disconnect();
    await Promise.all(runtimes.map((r) => r.stop()));
    await admin?.disconnect();
    await database?.drop();
  });

  it('gives this file a topic namespace of its own, and the fleet’s topics are named in it', () => {
    expect(prefix).toMatch(/^t_topic_namespace_int_[a-z0-9]+_[0-9a-f]{6}\.$/);
    expect(orderCatalog.topics().map((t) => t.name)).toEqual([
      `${prefix}orders`,
      `${prefix}inventory`,
      `${prefix}payments`,
    ]);
    expect(OrderPlaced.type).toBe('fleet.orders.OrderPlaced.v2');
  });

  it('runs services the way the tests do: records only in the namespace, nothing in the demo’s topics or database', async () => {
    await ensureOrderTopics(admin);
    // Fresh: nothing of the demo's, nor of an earlier run, can be read here.
    for (const topic of [ordersTopic, inventoryTopic, paymentsTopic])
      expect(await topicSize(admin, topic.name)).toBe(0);

    const start = <DB>(definition: ProcessorDefinition<DB>) =>
      startServiceRuntime(definition, { databaseUrl: database.url, groupId: uniqueName('namespace') });
    runtimes.push((await start(inventory)) as ProcessorRuntime<unknown>);
    runtimes.push(
      (await start(paymentsProcessor(loadPaymentRules(defaultRulesFile)))) as ProcessorRuntime<unknown>,
    );
    for (const runtime of runtimes) expect(runtime.topics.every((t) => t.startsWith(prefix))).toBe(true);

    producer = await connectTestProducer('/test/namespace', [OrderPlaced]);
    const orderId = randomUUID();
    const placed: EventData<typeof OrderPlaced> = {
      orderId,
      customerId: 'cust-namespace',
      lines: [{ sku: 'SKU-009', quantity: 1, unitPrice: 1299 }],
      totalCents: 1299,
      currency: 'EUR',
      placedAt: new Date().toISOString(),
    };
    const eventId = await producer.publish(OrderPlaced, placed);
    // A record no processor can decode: each of the two dead-letters it.
    const garbageKey = `garbage-${randomUUID()}`;
    const raw = kafka.producer();
    await raw.connect();
    await raw.send({ topic: ordersTopic.name, messages: [{ key: garbageKey, value: 'not an event' }] });
    await raw.disconnect();

    // inventory reserves, payments decides on the reservation: the flow went through the namespace.
    const db = kyselyFor<{
      processed_events: { event_id: string };
      payments: { order_id: string; decision: string };
    }>(database.url);
    try {
      await waitForProcessed(db.withSchema('inventory'), [eventId]);
      const payment = await waitFor('the payment decision', () =>
        db
          .withSchema('payments')
          .selectFrom('payments')
          .selectAll()
          .where('order_id', '=', orderId)
          .executeTakeFirst(),
      );
      expect(payment.decision).toBe('authorized');
    } finally {
      await db.destroy();
    }
    // Its follow-ons and both dead letters are in the namespace, which held nothing before (the
    // outbox relay publishes just after the transaction that decided: wait for it).
    const published = (topic: string) =>
      waitFor(`a record in ${topic}`, async () => ((await topicSize(admin, topic)) > 0 ? true : undefined));
    await published(inventoryTopic.name);
    await published(paymentsTopic.name);
    for (const processor of ['inventory', 'payments']) {
      const dlq = namespacedTopicName(`${processor}.dlq`);
      expect(dlq).toBe(`${prefix}${processor}.dlq`);
      await published(dlq);
    }

    // The demo's topics (whatever a running demo put there meanwhile): no record of this test.
    for (const [topic, records] of await demoTopicRecords(admin))
      expect(
        records.filter((r) => r.key === orderId || r.key === garbageKey || r.headers.ce_id === eventId),
        `records of this test in the demo's topic ${topic}`,
      ).toEqual([]);
    // …and the demo's database: its processors' schemas hold no row of this order.
    expect(await demoRowsOf(orderId)).toEqual([]);
  });
});

/** Every record of the demo's topics that exist (none is created by reading). */
async function demoTopicRecords(admin: Admin) {
  const existing = new Set(await admin.listTopics());
  const kafka = testKafka('namespace-reader');
  const records = new Map<string, Awaited<ReturnType<typeof readTopic>>>();
  for (const topic of demoTopics)
    if (existing.has(topic)) records.set(topic, await readTopic(kafka, admin, topic));
  return records;
}

/** Rows of an order in the projections of the demo's database (the default DATABASE_URL). */
async function demoRowsOf(orderId: string): Promise<string[]> {
  const db: Kysely<unknown> = kyselyFor(infraSettings().databaseUrl);
  try {
    const found: string[] = [];
    for (const table of ['inventory.reservations', 'payments.payment_requests', 'payments.payments']) {
      const { rows: exists } = await sql<{
        ok: boolean;
      }>`select to_regclass(${table}) is not null as ok`.execute(db);
      if (!exists[0]?.ok) continue;
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from ${sql.raw(table)} where order_id = ${orderId}`.execute(db);
      if ((rows[0]?.n ?? 0) > 0) found.push(table);
    }
    return found;
  } finally {
    await db.destroy();
  }
}
