import type { Admin } from 'kafkajs';

/** Offsets per `topic:partition`. */
export type PartitionOffsets = Map<string, bigint>;

export const partitionKey = (topic: string, partition: number) => `${topic}:${partition}`;

/** A group's committed offsets; partitions it never committed are absent. */
export async function committedOffsets(
  admin: Admin,
  groupId: string,
  topics: string[],
): Promise<PartitionOffsets> {
  const offsets: PartitionOffsets = new Map();
  for (const { topic, partitions } of await admin.fetchOffsets({ groupId, topics }))
    for (const p of partitions)
      if (Number(p.offset) >= 0) offsets.set(partitionKey(topic, p.partition), BigInt(p.offset));
  return offsets;
}

/** A partition whose records before `earliestAvailable` were deleted (retention). */
export interface ReplayGap {
  topic: string;
  partition: number;
  earliestAvailable: bigint;
  end: bigint;
}

/** Where a replay from `from` starts, per partition, and what the log no longer holds before it. */
export async function replayStart(
  admin: Admin,
  topics: string[],
  from: 'earliest' | Date,
): Promise<{ start: PartitionOffsets; gaps: ReplayGap[] }> {
  const start: PartitionOffsets = new Map();
  const gaps: ReplayGap[] = [];
  for (const topic of topics) {
    const ends = await admin.fetchTopicOffsets(topic);
    const byTime =
      from === 'earliest' ? undefined : await admin.fetchTopicOffsetsByTimestamp(topic, from.getTime());
    for (const end of ends) {
      const low = BigInt(end.low);
      const atTime = byTime?.find((p) => p.partition === end.partition);
      const offset =
        atTime && BigInt(atTime.offset) >= 0
          ? BigInt(atTime.offset)
          : from === 'earliest'
            ? low
            : BigInt(end.high);
      start.set(partitionKey(topic, end.partition), offset);
      // Records before `low` were deleted; from the beginning, or when the start falls on `low`, they may be missing.
      if (low > 0n && offset <= low)
        gaps.push({ topic, partition: end.partition, earliestAvailable: low, end: BigInt(end.high) });
    }
  }
  return { start, gaps };
}

/** Records between two positions, summed over partitions (what a rebuild still has to do). */
export function distance(from: PartitionOffsets, to: PartitionOffsets): number {
  let total = 0n;
  for (const [key, target] of to) {
    const at = from.get(key) ?? 0n;
    if (target > at) total += target - at;
  }
  return Number(total);
}
