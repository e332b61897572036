import { type Admin, Kafka, logLevel } from 'kafkajs';
import { infraSettings } from './infra-settings.ts';
import { uniqueName } from './unique-name.ts';

export function testKafka(clientId = 'testkit'): Kafka {
  return new Kafka({ clientId, brokers: infraSettings().kafkaBrokers, logLevel: logLevel.NOTHING });
}

/** Creates a topic with a unique name and waits until its partitions have leaders. */
export async function createTestTopic(admin: Admin, prefix: string, numPartitions = 1): Promise<string> {
  const topic = uniqueName(prefix);
  await admin.createTopics({
    topics: [{ topic, numPartitions, replicationFactor: 1 }],
    waitForLeaders: true,
  });
  return topic;
}

/** Sum of end offsets of a topic: how many records it holds when nothing was deleted. */
export async function topicSize(admin: Admin, topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
}
