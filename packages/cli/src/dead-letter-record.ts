import { deadLetterHeaders } from '@fleet/processor';
import type { CliIo } from './cli-io.ts';
import type { FleetConnections } from './fleet-connections.ts';
import type { RegisteredProcessor } from './processor-catalog.ts';
import { startProgress } from './progress-bar.ts';
import { type ScannedRecord, scanPartitions } from './topic-scanner.ts';

/** A record of a DLQ topic with what its `dlq_*` and CloudEvents headers say. */
export interface DeadLetterRecord {
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
  sourceTopic: string | undefined;
  sourcePartition: number | undefined;
  sourceOffset: number | undefined;
  sourceTimestamp: string | undefined;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer>;
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
    eventId: h('ce_id'),
    eventType: h('ce_type'),
    errorCode: h(deadLetterHeaders.errorCode),
    errorClass: h(deadLetterHeaders.errorClass),
    errorMessage: h(deadLetterHeaders.errorMessage),
    attempts: n(deadLetterHeaders.attempts),
    failedAt: h(deadLetterHeaders.failedAt),
    sourceTopic: h(deadLetterHeaders.sourceTopic),
    sourcePartition: n(deadLetterHeaders.sourcePartition),
    sourceOffset: n(deadLetterHeaders.sourceOffset),
    sourceTimestamp: h(deadLetterHeaders.sourceTimestamp),
    key: record.key,
    value: record.value,
    headers: record.headers,
  };
}

/** Whether a header is one the runtime added when dead-lettering (dropped again on redrive). */
export const isDeadLetterHeader = (name: string) => name.startsWith('dlq_');

/** Every record of a processor's DLQ, from its earliest available offset to its end now. */
export async function readDeadLetters(
  connections: FleetConnections,
  processor: RegisteredProcessor,
  io: CliIo,
  json: boolean,
): Promise<DeadLetterRecord[]> {
  const admin = await connections.admin();
  const topics = await admin.listTopics();
  if (!topics.includes(processor.dlqTopic)) return [];
  const offsets = await admin.fetchTopicOffsets(processor.dlqTopic);
  const total = offsets.reduce((s, p) => s + Number(p.high) - Number(p.low), 0);
  const progress = startProgress(io, total, `reading ${processor.dlqTopic}`, json);
  try {
    const records = await scanPartitions(
      connections.kafka,
      admin,
      offsets
        .filter((p) => Number(p.high) > Number(p.low))
        .map((p) => ({ topic: processor.dlqTopic, partition: p.partition, end: Number(p.high) })),
      { purpose: 'dlq', onRecord: () => progress.increment() },
    );
    return records.map((r) => toDeadLetter(processor.name, r));
  } finally {
    progress.stop();
  }
}
