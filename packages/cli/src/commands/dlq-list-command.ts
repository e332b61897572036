import { type CommandContext, print, printJson } from '../command-context.ts';
import { type DeadLetterFilter, matchesFilter } from '../dead-letter-filter.ts';
import { type DeadLetterRecord, readDeadLetters } from '../dead-letter-record.ts';
import { findProcessor, listProcessors } from '../processor-catalog.ts';
import { renderTable, truncate } from '../table.ts';

export interface DlqListOptions extends DeadLetterFilter {
  processor?: string | undefined;
  limit: number;
}

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

export const summarise = (l: DeadLetterRecord): DeadLetterSummary => ({
  processor: l.processor,
  dlqTopic: l.dlqTopic,
  partition: l.partition,
  offset: l.offset,
  eventId: l.eventId,
  eventType: l.eventType,
  errorCode: l.errorCode,
  errorClass: l.errorClass,
  errorMessage: l.errorMessage,
  attempts: l.attempts,
  failedAt: l.failedAt,
  source: { topic: l.sourceTopic, partition: l.sourcePartition, offset: l.sourceOffset },
});

/** `fleet dlq list`: dead letters of one processor (or all), oldest first, filtered. */
export async function dlqListCommand(
  ctx: CommandContext,
  options: DlqListOptions,
): Promise<DeadLetterSummary[]> {
  const processors = options.processor
    ? [await findProcessor(ctx.connections.db, options.processor)]
    : await listProcessors(ctx.connections.db);
  const matching: DeadLetterSummary[] = [];
  for (const p of processors)
    for (const letter of await readDeadLetters(ctx.connections, p, ctx.io, ctx.json))
      if (matchesFilter(letter, options)) matching.push(summarise(letter));
  const shown = matching.slice(0, options.limit);
  if (ctx.json) {
    printJson(ctx, { total: matching.length, deadLetters: shown });
    return shown;
  }
  if (matching.length === 0) {
    print(ctx, `no dead letters${options.processor ? ` for ${options.processor}` : ''} match`);
    return shown;
  }
  print(
    ctx,
    renderTable(
      ['processor', 'at', 'event id', 'type', 'error', 'message', 'failed at', 'source'],
      shown.map((l) => [
        l.processor,
        `${l.partition}:${l.offset}`,
        truncate(l.eventId ?? '-', 36),
        truncate(l.eventType ?? '-', 28),
        l.errorCode ?? '-',
        truncate(l.errorMessage?.replace(/\s+/g, ' '), 48),
        l.failedAt ?? '-',
        `${l.source.topic ?? '?'}/${l.source.partition ?? '?'}@${l.source.offset ?? '?'}`,
      ]),
    ),
  );
  print(
    ctx,
    `${shown.length < matching.length ? `showing ${shown.length} of ${matching.length} (--limit)` : `${matching.length} dead letter(s)`}; details: fleet dlq show <processor> <partition>:<offset>`,
  );
  return shown;
}
