import { uniqueName } from '@fleet/testkit';
import type { Admin, Consumer, Kafka, KafkaMessage } from 'kafkajs';

/**
 * Reads a shared topic from its end as of `start()`: only records produced afterwards, without
 * scanning what earlier tests and runs left there. The fresh group's offsets are committed at the
 * ends before it joins (a `seek` after `run` fails when the first join is retried on a new broker).
 */
export class TopicTail {
  readonly messages: KafkaMessage[] = [];
  readonly #consumer: Consumer;

  private constructor(consumer: Consumer) {
    this.#consumer = consumer;
  }

  static async start(kafka: Kafka, admin: Admin, topic: string): Promise<TopicTail> {
    const ends = await admin.fetchTopicOffsets(topic);
    const groupId = uniqueName('order-intake-test');
    await admin.setOffsets({
      groupId,
      topic,
      partitions: ends.map(({ partition, high }) => ({ partition, offset: high })),
    });
    const consumer = kafka.consumer({ groupId });
    const tail = new TopicTail(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic });
    await consumer.run({ eachMessage: async ({ message }) => void tail.messages.push(message) });
    return tail;
  }

  /** Records whose header `name` has `value`. */
  withHeader(name: string, value: string): KafkaMessage[] {
    return this.messages.filter((m) => m.headers?.[name]?.toString() === value);
  }

  async stop(): Promise<void> {
    await this.#consumer.disconnect();
  }
}
