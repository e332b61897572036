import type { Admin, Kafka } from 'kafkajs';
import { scanPartitions } from './topic-scanner.ts';

export interface PartitionRange {
  topic: string;
  partition: number;
  /** The earliest offset still in the log. */
  low: number;
  /** The offset after the last record. */
  high: number;
}

/**
 * When the first record still in each partition was written: what an operator needs to judge a
 * retention gap ("everything before 2026-11-20T10:00Z is gone"). Partitions without any record left
 * have no entry. Reads one record per partition.
 */
export async function firstAvailableTimes(
  kafka: Kafka,
  admin: Admin,
  ranges: PartitionRange[],
): Promise<Map<string, number>> {
  const first = await scanPartitions(
    kafka,
    admin,
    ranges
      .filter((r) => r.high > r.low)
      .map((r) => ({ topic: r.topic, partition: r.partition, end: r.low + 1 })),
    { purpose: 'retention' },
  );
  return new Map(first.map((r) => [`${r.topic}:${r.partition}`, r.timestamp]));
}
