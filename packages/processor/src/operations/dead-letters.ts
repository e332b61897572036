import type { Admin, Kafka } from 'kafkajs';
import { deadLetterHeaders } from '../dead-letter.ts';
import { type OperatedProcessor, OperationError } from './operation-error.ts';
import { type ScannedRecord, scanPartitions } from './topic-scanner.ts';

/** What lists and APIs show of a dead letter: where it is, why it failed, where it came from. */
export interface DeadLetterSummary {
  processor: string;
  dlqTopic: string;
  partition: number;
  offset: number;
  eventId: string | undefined;
  eventType: string | undefined;
  errorCode: string | undefined;
  errorClass: string | undefined;
  errorMessage: string | undefined;
  attempts: number | undefined;
  failedAt: string | undefined;
  source: { topic: string | undefined; partition: number | undefined; offset: number | undefined };
}

/** A record of a DLQ topic with what its `dlq_*` and CloudEvents headers say, and its raw content. */
export interface DeadLetterRecord extends DeadLetterSummary {
  /** When the DLQ record was written. */
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer>;
}

export interface DeadLetterFilter {
  errorCode?: string | undefined;
  /** Epoch ms: dead-lettered at or after. */
  since?: number | undefined;
}

export interface ReadProgress {
  onTotal?: (records: number) => void;
  onRecord?: () => void;
}

export function toDeadLetter(processor: string, record: ScannedRecord): DeadLetterRecord {
  const h = (name: string) => record.headers[name]?.toString('utf8');
  const n = (name: string) => {
    const v = h(name);
    return v === undefined || v === '' || Number.isNaN(Number(v)) ? undefined : Number(v);
  };
  return {
    processor,
    dlqTopic: record.topic,
    partition: record.partition,
    offset: record.offset,
    timestamp: record.timestamp,
    eventId: h('ce_id'),
    eventType: h('ce_type'),
    errorCode: h(deadLetterHeaders.errorCode),
    errorClass: h(deadLetterHeaders.errorClass),
    errorMessage: h(deadLetterHeaders.errorMessage),
    attempts: n(deadLetterHeaders.attempts),
    failedAt: h(deadLetterHeaders.failedAt),
    source: {
      topic: h(deadLetterHeaders.sourceTopic),
      partition: n(deadLetterHeaders.sourcePartition),
      offset: n(deadLetterHeaders.sourceOffset),
    },
    key: record.key,
    value: record.value,
    headers: record.headers,
  };
}

export const summarise = ({
  timestamp,
  key,
  value,
  headers,
  ...summary
}: DeadLetterRecord): DeadLetterSummary => summary;

/** Everything about one dead letter, JSON-safe: the summary, every header as text, key and value. */
export const describeDeadLetter = (l: DeadLetterRecord) => ({
  ...summarise(l),
  timestamp: new Date(l.timestamp).toISOString(),
  key: l.key?.toString('utf8') ?? null,
  headers: Object.fromEntries(Object.entries(l.headers).map(([k, v]) => [k, v.toString('utf8')])),
  value: l.value ? { base64: l.value.toString('base64'), bytes: l.value.length } : null,
});

export function matchesFilter(letter: DeadLetterRecord, filter: DeadLetterFilter): boolean {
  if (filter.errorCode !== undefined && letter.errorCode !== filter.errorCode) return false;
  if (filter.since !== undefined) {
    const failedAt = letter.failedAt ? Date.parse(letter.failedAt) : Number.NaN;
    if (Number.isNaN(failedAt) || failedAt < filter.since) return false;
  }
  return true;
}

/** Whether a header is one the runtime added when dead-lettering (dropped again on redrive). */
export const isDeadLetterHeader = (name: string) => name.startsWith('dlq_');

/** Every record of a processor's DLQ, from its earliest available offset to its end now. */
export async function readDeadLetters(
  kafka: Kafka,
  admin: Admin,
  processor: OperatedProcessor,
  progress: ReadProgress = {},
): Promise<DeadLetterRecord[]> {
  if (!(await admin.listTopics()).includes(processor.dlqTopic)) return [];
  const offsets = await admin.fetchTopicOffsets(processor.dlqTopic);
  progress.onTotal?.(offsets.reduce((s, p) => s + Number(p.high) - Number(p.low), 0));
  const records = await scanPartitions(
    kafka,
    admin,
    offsets
      .filter((p) => Number(p.high) > Number(p.low))
      .map((p) => ({ topic: processor.dlqTopic, partition: p.partition, end: Number(p.high) })),
    { purpose: 'dlq', ...(progress.onRecord ? { onRecord: progress.onRecord } : {}) },
  );
  return records.map((r) => toDeadLetter(processor.name, r));
}

/**
 * The first `limit` dead letters that match `filter` (in partition and offset order) and how many
 * match in all, reading the DLQ through without keeping it: memory holds one fetch and `limit`
 * summaries per partition, not the topic.
 */
export async function listDeadLetters(
  kafka: Kafka,
  admin: Admin,
  processor: OperatedProcessor,
  filter: DeadLetterFilter,
  limit: number,
): Promise<{ total: number; deadLetters: DeadLetterSummary[] }> {
  if (!(await admin.listTopics()).includes(processor.dlqTopic)) return { total: 0, deadLetters: [] };
  const offsets = await admin.fetchTopicOffsets(processor.dlqTopic);
  let total = 0;
  const firstOf = new Map<number, DeadLetterSummary[]>();
  await scanPartitions(
    kafka,
    admin,
    offsets
      .filter((p) => Number(p.high) > Number(p.low))
      .map((p) => ({ topic: processor.dlqTopic, partition: p.partition, end: Number(p.high) })),
    {
      purpose: 'dlq-list',
      keep: false,
      onRecord: (record) => {
        const letter = toDeadLetter(processor.name, record);
        if (!matchesFilter(letter, filter)) return;
        total++;
        const kept = firstOf.get(record.partition) ?? [];
        if (kept.length < limit) kept.push(summarise(letter));
        firstOf.set(record.partition, kept);
      },
    },
  );
  const deadLetters = [...firstOf.values()]
    .flat()
    .sort((a, b) => a.partition - b.partition || a.offset - b.offset)
    .slice(0, limit);
  return { total, deadLetters };
}

/** The dead letter at `partition:offset` of the processor's DLQ, or a `not-found` error saying what is there. */
export async function readDeadLetter(
  kafka: Kafka,
  admin: Admin,
  processor: OperatedProcessor,
  partition: number,
  offset: number,
): Promise<DeadLetterRecord> {
  const topic = processor.dlqTopic;
  const ends = (await admin.listTopics()).includes(topic) ? await admin.fetchTopicOffsets(topic) : [];
  const end = ends.find((e) => e.partition === partition);
  if (!end || offset < Number(end.low) || offset >= Number(end.high))
    throw new OperationError(
      'DEAD_LETTER_NOT_FOUND',
      end
        ? `no dead letter at ${partition}:${offset} in ${topic}: partition ${partition} holds offsets ${end.low}..${Number(end.high) - 1}${Number(end.high) === Number(end.low) ? ' (empty)' : ''}`
        : `no partition ${partition} in ${topic}${ends.length ? ` (partitions 0..${ends.length - 1})` : ' (the topic does not exist)'}`,
    );
  let record: ScannedRecord | undefined;
  await scanPartitions(kafka, admin, [{ topic, partition, start: offset, end: offset + 1 }], {
    purpose: 'dlq-show',
    keep: false,
    onRecord: (r) => {
      if (r.offset === offset) record = r;
    },
  });
  if (!record)
    throw new OperationError(
      'DEAD_LETTER_NOT_FOUND',
      `no record at ${partition}:${offset} in ${topic} (deleted meanwhile?)`,
    );
  return toDeadLetter(processor.name, record);
}
