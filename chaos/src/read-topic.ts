import { randomUUID } from 'node:crypto';
import type { Admin, Kafka } from 'kafkajs';

export interface TopicRecord {
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

/** Every record of a topic, from the beginning to the end offsets at the time of the call. */
export async function readTopic(kafka: Kafka, admin: Admin, topic: string, timeoutMs = 120_000) {
  const ends = await admin.fetchTopicOffsets(topic);
  const total = ends.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  const records: TopicRecord[] = [];
  if (total === 0) return records;
  const consumer = kafka.consumer({ groupId: `chaos-reader-${randomUUID()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    let done: () => void = () => {};
    const complete = new Promise<void>((resolve) => {
      done = resolve;
    });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(m.headers ?? {}))
            if (v !== undefined) headers[k] = String(Array.isArray(v) ? v[0] : v);
          records.push({
            partition: batch.partition,
            offset: m.offset,
            key: m.key?.toString() ?? null,
            value: m.value,
            headers,
          });
        }
        if (records.length >= total) done();
      },
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      complete,
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`read ${records.length} of ${total} records of ${topic}`)),
          timeoutMs,
        );
      }),
    ]).finally(() => clearTimeout(timer));
    return records;
  } finally {
    await consumer.disconnect();
  }
}
