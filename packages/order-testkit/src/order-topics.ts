import { applyTopicPlan, planTopics } from '@fleet/contracts';
import { inventoryTopic, ordersTopic, paymentsTopic } from '@fleet/contracts/orders';
import type { Admin, Kafka } from 'kafkajs';

/**
 * Creates the fleet's topics if missing: in an integration test, the test file's own (its
 * FLEET_TOPIC_PREFIX namespace), never the demo's. Retried: a broker may be busy creating others.
 */
export async function ensureOrderTopics(admin: Admin): Promise<void> {
  const topics = [ordersTopic, inventoryTopic, paymentsTopic];
  for (let attempt = 1; ; attempt++) {
    try {
      await applyTopicPlan(admin, await planTopics(admin, topics));
      return;
    } catch (error) {
      if (attempt >= 5) throw error;
      await new Promise((r) => setTimeout(r, 500 * attempt));
    }
  }
}

/**
 * Commits a new consumer group's offsets at the topics' current ends, so a processor started with it
 * reads only what comes next: the file's topics hold what its earlier tests sent. One short-lived
 * member commits for all topics at once (admin.setOffsets joins the group once per topic: slower).
 */
export async function startGroupAtEnd(kafka: Kafka, admin: Admin, groupId: string, topics: string[]) {
  const ends = await Promise.all(
    topics.map(async (topic) =>
      (await admin.fetchTopicOffsets(topic)).map((o) => ({ topic, partition: o.partition, offset: o.high })),
    ),
  );
  const consumer = kafka.consumer({ groupId });
  try {
    await consumer.connect();
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.subscribe({ topics });
    // Nothing is handled or committed but the ends below.
    await consumer.run({ autoCommit: false, eachBatch: async () => {} });
    await joined;
    await consumer.commitOffsets(ends.flat());
  } finally {
    await consumer.disconnect();
  }
}
