import type { IHeaders, Message } from 'kafkajs';
import { CliError, usageError } from '../cli-error.ts';
import { type CommandContext, print, printJson } from '../command-context.ts';
import { type DeadLetterFilter, matchesFilter } from '../dead-letter-filter.ts';
import { type DeadLetterRecord, isDeadLetterHeader, readDeadLetters } from '../dead-letter-record.ts';
import { parsePartitionOffsets } from '../partition-offsets.ts';
import { findProcessor } from '../processor-catalog.ts';

/** Header a redriven record carries: `<dlq topic>/<partition>/<offset>` it came back from. */
export const redrivenFromHeader = 'fleet_redriven_from';

export interface DlqRedriveOptions extends DeadLetterFilter {
  processor: string;
  all?: boolean | undefined;
  /** `0:12,1:3`: partition:offset positions in the DLQ. */
  offsets?: string | undefined;
}

export interface RedriveResult {
  processor: string;
  dlqTopic: string;
  redriven: { from: string; to: string; eventId: string | undefined }[];
}

/**
 * `fleet dlq redrive`: re-publishes dead letters to their source topic and partition with their
 * original key, value and headers (minus `dlq_*`, plus `fleet_redriven_from`), idempotent, acks=all.
 * The processor forgot their IDs when it dead-lettered them, so it applies each once; a second
 * redrive of the same letters is a duplicate it (and every other consumer) skips by ID.
 */
export async function dlqRedriveCommand(
  ctx: CommandContext,
  options: DlqRedriveOptions,
): Promise<RedriveResult> {
  if (Boolean(options.all) === Boolean(options.offsets))
    throw usageError(
      'SELECTION_REQUIRED',
      'say which dead letters to redrive: --all, or --offsets 0:12,1:3 (not both)',
    );
  const positions = options.offsets ? parsePartitionOffsets(options.offsets, '--offsets') : undefined;
  const p = await findProcessor(ctx.connections.db, options.processor);
  const letters = await readDeadLetters(ctx.connections, p, ctx.io, ctx.json);
  let selected: DeadLetterRecord[] = letters;
  if (positions) {
    const missing = positions.filter(
      (w) => !letters.some((l) => l.partition === w.partition && l.offset === w.offset),
    );
    if (missing.length)
      throw usageError(
        'DEAD_LETTER_NOT_FOUND',
        `no dead letter at ${missing.map((m) => `${m.partition}:${m.offset}`).join(', ')} in ${p.dlqTopic}; see fleet dlq list --processor ${p.name}`,
      );
    selected = letters.filter((l) =>
      positions.some((w) => w.partition === l.partition && w.offset === l.offset),
    );
  }
  selected = selected.filter((l) => matchesFilter(l, options));
  const unroutable = selected.filter((l) => !l.sourceTopic);
  if (unroutable.length)
    throw new CliError(
      'SOURCE_UNKNOWN',
      `dead letter(s) ${unroutable.map((l) => `${l.partition}:${l.offset}`).join(', ')} of ${p.dlqTopic} have no dlq_source_topic header, so there is nowhere to redrive them; leave them out with --offsets`,
    );
  const result: RedriveResult = { processor: p.name, dlqTopic: p.dlqTopic, redriven: [] };
  if (selected.length > 0) {
    const producer = ctx.connections.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      const bySource = Map.groupBy(selected, (l) => l.sourceTopic as string);
      for (const [topic, group] of bySource) {
        const partitions = (await (await ctx.connections.admin()).fetchTopicOffsets(topic)).length;
        const messages: Message[] = group.map((l) => redriveMessage(l, partitions));
        await producer.send({ topic, acks: -1, messages });
        for (const l of group)
          result.redriven.push({
            from: `${l.dlqTopic}/${l.partition}/${l.offset}`,
            to: `${topic}/${l.sourcePartition ?? '?'}`,
            eventId: l.eventId,
          });
      }
    } finally {
      await producer.disconnect().catch(() => {});
    }
  }
  if (ctx.json) printJson(ctx, { ...result, count: result.redriven.length });
  else if (selected.length === 0) print(ctx, `nothing to redrive: no dead letter of ${p.dlqTopic} matches`);
  else
    print(
      ctx,
      [
        `redrove ${result.redriven.length} dead letter(s) of ${p.dlqTopic}:`,
        ...result.redriven.map((r) => `  ${r.from} → ${r.to}  ${r.eventId ?? ''}`),
        'they stay in the DLQ; purge it with fleet dlq purge once the processor applied them',
      ].join('\n'),
    );
  return result;
}

/** Same key, value and original headers; back to the partition it came from, so per-key order holds. */
export function redriveMessage(letter: DeadLetterRecord, partitions: number): Message {
  const headers: IHeaders = {};
  for (const [name, value] of Object.entries(letter.headers))
    if (!isDeadLetterHeader(name)) headers[name] = value;
  headers[redrivenFromHeader] = `${letter.dlqTopic}/${letter.partition}/${letter.offset}`;
  const message: Message = { key: letter.key, value: letter.value, headers };
  if (letter.sourcePartition !== undefined && letter.sourcePartition < partitions)
    message.partition = letter.sourcePartition;
  return message;
}
