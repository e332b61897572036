import type { Admin, IHeaders, Kafka, Message } from 'kafkajs';
import { createIdempotentProducer } from '../kafka-client.ts';
import {
  type DeadLetterFilter,
  type DeadLetterRecord,
  isDeadLetterHeader,
  matchesFilter,
  type ReadProgress,
  readDeadLetters,
} from './dead-letters.ts';
import { type OperatedProcessor, OperationError } from './operation-error.ts';

/** Header a redriven record carries: `<dlq topic>/<partition>/<offset>` it came back from. */
export const redrivenFromHeader = 'fleet_redriven_from';

export interface RedriveSelection extends DeadLetterFilter {
  /** Every dead letter (that matches the filter)… */
  all?: boolean | undefined;
  /** …or these positions in the DLQ (exactly one of the two). */
  positions?: { partition: number; offset: number }[] | undefined;
}

export interface RedriveResult {
  processor: string;
  dlqTopic: string;
  redriven: { from: string; to: string; eventId: string | undefined }[];
}

/**
 * Re-publishes dead letters to their source topic and partition with their original key, value and
 * headers (minus `dlq_*`, plus `fleet_redriven_from`), idempotent, acks=all. The processor forgot
 * their IDs when it dead-lettered them, so it applies each once; a second redrive of the same letters
 * is a duplicate it (and every other consumer) skips by ID. The letters stay in the DLQ.
 */
export async function redriveDeadLetters(
  kafka: Kafka,
  admin: Admin,
  processor: OperatedProcessor,
  selection: RedriveSelection,
  progress: ReadProgress = {},
): Promise<RedriveResult> {
  const { positions } = selection;
  if (Boolean(selection.all) === Boolean(positions))
    throw new OperationError(
      'SELECTION_REQUIRED',
      'say which dead letters to redrive: all, or a list of partition:offset positions (not both)',
    );
  const letters = await readDeadLetters(kafka, admin, processor, progress);
  let selected = letters;
  if (positions) {
    const at = (l: { partition: number; offset: number }, w: { partition: number; offset: number }) =>
      l.partition === w.partition && l.offset === w.offset;
    const missing = positions.filter((w) => !letters.some((l) => at(l, w)));
    if (missing.length)
      throw new OperationError(
        'DEAD_LETTER_NOT_FOUND',
        `no dead letter at ${missing.map((m) => `${m.partition}:${m.offset}`).join(', ')} in ${processor.dlqTopic}`,
      );
    selected = letters.filter((l) => positions.some((w) => at(l, w)));
  }
  selected = selected.filter((l) => matchesFilter(l, selection));
  const unroutable = selected.filter((l) => !l.source.topic);
  if (unroutable.length)
    throw new OperationError(
      'SOURCE_UNKNOWN',
      `dead letter(s) ${unroutable.map((l) => `${l.partition}:${l.offset}`).join(', ')} of ${processor.dlqTopic} have no dlq_source_topic header, so there is nowhere to redrive them; leave them out of the selection`,
    );
  // A dead letter names its own source: a forged or copied record could name any topic. Only the
  // processor's own topics are a source it could have dead-lettered from.
  const foreign = selected.filter((l) => l.source.topic && !processor.topics.includes(l.source.topic));
  if (foreign.length)
    throw new OperationError(
      'SOURCE_NOT_OWN_TOPIC',
      `dead letter(s) ${foreign.map((l) => `${l.partition}:${l.offset} (dlq_source_topic ${JSON.stringify(l.source.topic)})`).join(', ')} of ${processor.dlqTopic} name a topic ${processor.name} does not read (${processor.topics.join(', ')}), so they did not come from it; nothing was redriven — leave them out of the selection and look into where they came from`,
      {
        positions: foreign.map((l) => ({
          partition: l.partition,
          offset: l.offset,
          sourceTopic: l.source.topic,
        })),
      },
    );
  const result: RedriveResult = { processor: processor.name, dlqTopic: processor.dlqTopic, redriven: [] };
  if (selected.length === 0) return result;
  // The runtime's producer and partitioner, for letters without a partition.
  const producer = createIdempotentProducer(kafka);
  await producer.connect();
  try {
    for (const [topic, group] of Map.groupBy(selected, (l) => l.source.topic as string)) {
      const partitions = (await admin.fetchTopicOffsets(topic)).length;
      await producer.send({ topic, acks: -1, messages: group.map((l) => redriveMessage(l, partitions)) });
      for (const l of group)
        result.redriven.push({
          from: `${l.dlqTopic}/${l.partition}/${l.offset}`,
          to: `${topic}/${l.source.partition ?? '?'}`,
          eventId: l.eventId,
        });
    }
  } finally {
    await producer.disconnect().catch(() => {});
  }
  return result;
}

/** Same key, value and original headers; back to the partition it came from, so per-key order holds. */
export function redriveMessage(letter: DeadLetterRecord, partitions: number): Message {
  const headers: IHeaders = {};
  for (const [name, value] of Object.entries(letter.headers))
    if (!isDeadLetterHeader(name)) headers[name] = value;
  headers[redrivenFromHeader] = `${letter.dlqTopic}/${letter.partition}/${letter.offset}`;
  const message: Message = { key: letter.key, value: letter.value, headers };
  const { partition } = letter.source;
  if (partition !== undefined && partition < partitions) message.partition = partition;
  return message;
}
