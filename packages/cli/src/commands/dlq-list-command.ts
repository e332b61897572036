import {
  type DeadLetterFilter,
  type DeadLetterSummary,
  matchesFilter,
  readDeadLetters,
  summarise,
} from '@fleet/processor';
import { type CommandContext, print, printJson } from '../command-context.ts';
import { findProcessor, listProcessors } from '../processor-catalog.ts';
import { readProgress } from '../progress-bar.ts';
import { renderTable, truncate } from '../table.ts';

export interface DlqListOptions extends DeadLetterFilter {
  processor?: string | undefined;
  limit: number;
}

/** `fleet dlq list`: dead letters of one processor (or all), oldest first, filtered. */
export async function dlqListCommand(
  ctx: CommandContext,
  options: DlqListOptions,
): Promise<DeadLetterSummary[]> {
  const processors = options.processor
    ? [await findProcessor(ctx.connections.db, options.processor)]
    : await listProcessors(ctx.connections.db);
  const admin = await ctx.connections.admin();
  const matching: DeadLetterSummary[] = [];
  for (const p of processors) {
    const progress = readProgress(ctx.io, `reading ${p.dlqTopic}`, ctx.json);
    try {
      for (const letter of await readDeadLetters(ctx.connections.kafka, admin, p, progress))
        if (matchesFilter(letter, options)) matching.push(summarise(letter));
    } finally {
      progress.stop();
    }
  }
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
