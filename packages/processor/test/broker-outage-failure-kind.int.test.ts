import { startBroker } from '@fleet/testkit';
import { Kafka, logLevel } from 'kafkajs';
import { expect, it } from 'vitest';
import { failureKind } from '../src/failure-kind.ts';
import { createIdempotentProducer } from '../src/kafka-client.ts';

// What the runtime's producer really throws when its broker dies, and how it is classified: a dead
// letter or an outbox record sent then must be retried in place, whole (the chaos suite once saw a
// dead letter sent without its original because this was read as a permanent refusal).
it("classifies a send to a broker that died as transient, however kafkajs' retriers wrap it", async () => {
  const broker = await startBroker();
  const kafka = new Kafka({
    brokers: [broker.bootstrapServers],
    logLevel: logLevel.NOTHING,
    retry: { retries: 2, initialRetryTime: 100 },
  });
  const producer = createIdempotentProducer(kafka);
  try {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'letters', numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    await producer.connect();
    await producer.send({ topic: 'letters', messages: [{ value: 'before' }] });
    process.kill(broker.pid() as number, 'SIGKILL');

    const error = await producer.send({ topic: 'letters', messages: [{ value: 'after' }] }).then(
      () => undefined,
      (e: unknown) => e as Error & { retriable?: boolean },
    );
    // kafkajs 2.2.4: its outer retrier's KafkaJSNonRetriableError around the connection error.
    expect([error?.name, error?.retriable, (error?.cause as Error | undefined)?.name]).toEqual([
      'KafkaJSNonRetriableError',
      false,
      'KafkaJSConnectionError',
    ]);
    expect(failureKind(error)).toBe('transient');
  } finally {
    await producer.disconnect().catch(() => {});
    await broker.stop();
  }
}, 120_000);
