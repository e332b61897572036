import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { infraSettings } from './infra-settings.ts';
import { createTestDatabase, kyselyFor, type TestDatabase } from './test-database.ts';
import { createTestTopic, testKafka } from './test-kafka.ts';
import { uniqueName } from './unique-name.ts';
import { waitFor } from './wait-for.ts';

// The real stack end to end: broker (kafkajs 2.2.4 against Kafka 4.x), registry and PostgreSQL.
describe('smoke: Kafka + Schema Registry + PostgreSQL', () => {
  const kafka = testKafka('smoke');
  const admin = kafka.admin();
  let database: TestDatabase;

  beforeAll(async () => {
    await admin.connect();
    database = await createTestDatabase('smoke');
  });
  afterAll(async () => {
    await admin.disconnect();
    await database.drop();
  });

  it('produces an encoded record, consumes and decodes it in a group, and stores it through Kysely', async () => {
    const topic = await createTestTopic(admin, 'smoke', 3);
    const registry = new SchemaRegistry({ host: infraSettings().schemaRegistryUrl });
    const subject = uniqueName('smoke-greeting');
    await fetch(`${infraSettings().schemaRegistryUrl}/config/${subject}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      body: JSON.stringify({ compatibility: 'BACKWARD' }),
    });
    const schema = {
      type: 'object',
      properties: { id: { type: 'string' }, text: { type: 'string' } },
      required: ['id', 'text'],
    };
    const { id: schemaId } = await registry.register(
      { type: SchemaType.JSON, schema: JSON.stringify(schema) },
      { subject },
    );

    const value = await registry.encode(schemaId, { id: 'g-1', text: 'hello' });
    expect(value[0]).toBe(0); // Confluent wire format: magic byte, then the schema id
    expect(value.readInt32BE(1)).toBe(schemaId);

    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    await producer.send({ topic, messages: [{ key: 'g-1', value }] });
    await producer.disconnect();

    const db = kyselyFor<{ greetings: { id: string; text: string } }>(database.url);
    await db.schema
      .createTable('greetings')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('text', 'text')
      .execute();

    const consumer = kafka.consumer({ groupId: uniqueName('smoke') });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const decoded = (await registry.decode(message.value as Buffer)) as { id: string; text: string };
        await db.insertInto('greetings').values(decoded).execute();
      },
    });
    const row = await waitFor('the consumed greeting in Postgres', () =>
      db.selectFrom('greetings').selectAll().executeTakeFirst(),
    );
    await consumer.disconnect();
    expect(row).toEqual({ id: 'g-1', text: 'hello' });
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from greetings`.execute(db);
    expect(rows[0]?.n).toBe(1);
    await db.destroy();
  });

  it('supports the admin calls operators need: offsets by group, reset, set and by timestamp', async () => {
    const topic = await createTestTopic(admin, 'smoke-admin', 2);
    const producer = kafka.producer();
    await producer.connect();
    const before = Date.now();
    await producer.send({
      topic,
      messages: Array.from({ length: 10 }, (_, i) => ({ partition: i % 2, value: `m${i}` })),
    });
    await producer.disconnect();

    const groupId = uniqueName('smoke-admin');
    const consumer = kafka.consumer({ groupId });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    let seen = 0;
    await consumer.run({
      eachMessage: async () => {
        seen++;
      },
    });
    await waitFor('10 consumed records', () => (seen === 10 ? true : undefined));
    await waitFor('committed offsets at the end', async () => {
      const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
      return offsets?.partitions.every((p) => p.offset === '5') ? true : undefined;
    });
    await consumer.disconnect();

    // kafkajs commits the "earliest" sentinel (-2); a consumer resolves it on its next fetch.
    await admin.resetOffsets({ groupId, topic, earliest: true });
    let [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    expect(offsets?.partitions.map((p) => p.offset).sort()).toEqual(['-2', '-2']);

    await admin.setOffsets({
      groupId,
      topic,
      partitions: [
        { partition: 0, offset: '3' },
        { partition: 1, offset: '4' },
      ],
    });
    [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    expect(Object.fromEntries(offsets?.partitions.map((p) => [p.partition, p.offset]) ?? [])).toEqual({
      0: '3',
      1: '4',
    });

    const byTime = await admin.fetchTopicOffsetsByTimestamp(topic, before - 60_000);
    expect(byTime.map((p) => p.offset).sort()).toEqual(['0', '0']);
  });
});
