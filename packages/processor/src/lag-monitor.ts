import type { Admin } from 'kafkajs';

export interface PartitionLag {
  topic: string;
  partition: number;
  lag: number;
}

/** Lag per partition: end offset minus the group's committed offset (the whole partition when none). */
export async function fetchGroupLag(
  admin: Admin,
  groupId: string,
  topics: string[],
): Promise<PartitionLag[]> {
  const [committed, ...ends] = await Promise.all([
    admin.fetchOffsets({ groupId, topics }),
    ...topics.map((topic) => admin.fetchTopicOffsets(topic)),
  ]);
  const lags: PartitionLag[] = [];
  topics.forEach((topic, i) => {
    const groupOffsets = new Map(
      committed.find((c) => c.topic === topic)?.partitions.map((p) => [p.partition, Number(p.offset)]) ?? [],
    );
    for (const end of ends[i] ?? []) {
      const offset = groupOffsets.get(end.partition) ?? -1;
      const from = offset >= 0 ? offset : Number(end.low);
      lags.push({ topic, partition: end.partition, lag: Math.max(0, Number(end.high) - from) });
    }
  });
  return lags;
}
