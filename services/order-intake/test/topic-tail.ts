import { uniqueName } from '@fleet/testkit';
import type { Admin, Consumer, Kafka, KafkaMessage } from 'kafkajs';

/**
 * Reads a shared topic from its end as of `start()`: only records produced afterwards, without
 * scanning what earlier tests and runs left there. Pending seeks apply once partitions are assigned.
 */
export class TopicTail {
  readonly messages: KafkaMessage[] = [];
  readonly #consumer: Consumer;

  private constructor(consumer: Consumer) {
    this.#consumer = consumer;
  }

  static async start(kafka: Kafka, admin: Admin, topic: string): Promise<TopicTail> {
    const ends = await admin.fetchTopicOffsets(topic);
    const consumer = kafka.consumer({ groupId: uniqueName('order-intake-test') });
    const tail = new TopicTail(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: false });
    await consumer.run({ eachMessage: async ({ message }) => void tail.messages.push(message) });
    for (const { partition, high } of ends) consumer.seek({ topic, partition, offset: high });
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
