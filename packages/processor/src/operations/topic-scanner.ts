import { randomBytes } from 'node:crypto';
import type { Admin, IHeaders, Kafka } from 'kafkajs';
import { OperationError } from './operation-error.ts';

/** A record as read back, headers normalised to buffers. */
export interface ScannedRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer>;
}

export interface ScanRange {
  topic: string;
  partition: number;
  /** Read up to (excluding) this offset… */
  end: number;
  /** …from this offset (default: the partition's earliest available one). */
  start?: number;
}

/**
 * Reads partitions from their earliest available record up to fixed end offsets with a throwaway
 * consumer group (no offsets committed), then deletes that group. kafkajs cannot assign partitions
 * without a group, so this is how an operation reads "from the beginning to now".
 */
export async function scanPartitions(
  kafka: Kafka,
  admin: Admin,
  ranges: ScanRange[],
  options: {
    purpose: string;
    onRecord?: (record: ScannedRecord) => void;
    timeoutMs?: number;
    /** false: hand each record to `onRecord` only and keep none (memory bounded by one fetch). */
    keep?: boolean;
  },
): Promise<ScannedRecord[]> {
  const records: ScannedRecord[] = [];
  const pending = new Map(ranges.filter((r) => r.end > 0).map((r) => [`${r.topic}/${r.partition}`, r.end]));
  const startOf = new Map(ranges.map((r) => [`${r.topic}/${r.partition}`, r.start ?? 0]));
  if (pending.size === 0) return records;
  const topics = [...new Set(ranges.map((r) => r.topic))];
  const groupId = `fleet-ops-${options.purpose}-${randomBytes(4).toString('hex')}`;
  const consumer = kafka.consumer({
    groupId,
    maxWaitTimeInMs: 250,
    allowAutoTopicCreation: false,
    // Nothing kept: memory is what one fetch holds, so keep that small too.
    ...(options.keep === false ? { maxBytes: 2 * 1024 * 1024 } : {}),
  });
  const { promise: done, resolve } = Promise.withResolvers<void>();
  const timeoutMs = options.timeoutMs ?? 60_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const id = `${batch.topic}/${batch.partition}`;
        const end = pending.get(id);
        if (end === undefined) {
          // A partition nobody asked for (or one already read to its end): stop fetching it.
          consumer.pause([{ topic: batch.topic, partitions: [batch.partition] }]);
          return;
        }
        const start = startOf.get(id) ?? 0;
        for (const message of batch.messages) {
          const offset = Number(message.offset);
          if (offset < start) continue;
          if (offset >= end) break;
          const record: ScannedRecord = {
            topic: batch.topic,
            partition: batch.partition,
            offset,
            timestamp: Number(message.timestamp),
            key: message.key,
            value: message.value,
            headers: normaliseHeaders(message.headers),
          };
          if (options.keep !== false) records.push(record);
          options.onRecord?.(record);
        }
        const last = Number(batch.messages.at(-1)?.offset ?? -1);
        if (last + 1 >= end) {
          pending.delete(id);
          consumer.pause([{ topic: batch.topic, partitions: [batch.partition] }]);
          if (pending.size === 0) resolve();
        }
      },
    });
    // Straight to where a range starts, instead of reading the partition from its beginning.
    for (const r of ranges)
      if (r.start) consumer.seek({ topic: r.topic, partition: r.partition, offset: String(r.start) });
    await Promise.race([
      done,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new OperationError(
                'READ_TIMEOUT',
                `reading ${[...pending.keys()].join(', ')} did not reach the end within ${timeoutMs / 1000}s; is the broker healthy? try again`,
              ),
            ),
          timeoutMs,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
    await consumer.disconnect().catch(() => {});
    await admin.deleteGroups([groupId]).catch(() => {});
  }
  return records.sort(
    (a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition || a.offset - b.offset,
  );
}

export function normaliseHeaders(headers: IHeaders | undefined): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const [name, raw] of Object.entries(headers ?? {})) {
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value === undefined) continue;
    out[name] = Buffer.isBuffer(value) ? value : Buffer.from(String(value));
  }
  return out;
}
