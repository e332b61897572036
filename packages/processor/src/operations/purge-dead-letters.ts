import type { Admin } from 'kafkajs';
import type { OperatedProcessor } from './operation-error.ts';

export interface PurgeResult {
  processor: string;
  dlqTopic: string;
  deleted: number;
  partitions: { partition: number; before: number; after: number }[];
}

/** How many dead letters the processor's DLQ holds now, and where each partition ends. */
export async function countDeadLetters(admin: Admin, processor: OperatedProcessor) {
  const offsets = (await admin.listTopics()).includes(processor.dlqTopic)
    ? await admin.fetchTopicOffsets(processor.dlqTopic)
    : [];
  const partitions = offsets
    .filter((o) => Number(o.high) > Number(o.low))
    .map((o) => ({ partition: o.partition, before: Number(o.low), after: Number(o.high) }));
  return { count: partitions.reduce((s, p) => s + p.after - p.before, 0), partitions };
}

export type DeadLetterCount = Awaited<ReturnType<typeof countDeadLetters>>;

/**
 * Deletes the DLQ's records up to the high watermarks of `counted` (by default: now) with
 * admin.deleteTopicRecords. Dead letters that arrive after the count are kept, so what an operator
 * confirmed is exactly what goes. Asking for confirmation is the caller's job.
 */
export async function purgeDeadLetters(
  admin: Admin,
  processor: OperatedProcessor,
  counted?: DeadLetterCount,
): Promise<PurgeResult> {
  const { count, partitions } = counted ?? (await countDeadLetters(admin, processor));
  if (count > 0)
    await admin.deleteTopicRecords({
      topic: processor.dlqTopic,
      partitions: partitions.map((p) => ({ partition: p.partition, offset: String(p.after) })),
    });
  return { processor: processor.name, dlqTopic: processor.dlqTopic, deleted: count, partitions };
}
