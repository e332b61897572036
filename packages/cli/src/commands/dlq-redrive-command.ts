import { type DeadLetterFilter, type RedriveResult, redriveDeadLetters } from '@fleet/processor';
import { audited } from '../cli-audit.ts';
import { usageError } from '../cli-error.ts';
import { type CommandContext, print, printJson } from '../command-context.ts';
import { parsePartitionOffsets } from '../partition-offsets.ts';
import { findProcessor } from '../processor-catalog.ts';
import { readProgress } from '../progress-bar.ts';

export interface DlqRedriveOptions extends DeadLetterFilter {
  processor: string;
  all?: boolean | undefined;
  /** `0:12,1:3`: partition:offset positions in the DLQ. */
  offsets?: string | undefined;
}

/** `fleet dlq redrive`: sends selected dead letters back to their processor (applied once, by event ID). */
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
  const selection = { all: options.all, positions, errorCode: options.errorCode, since: options.since };
  const result = await audited(
    ctx,
    { action: 'dlq-redrive', processor: p.groupId, arguments: selection },
    async () => {
      const progress = readProgress(ctx.io, `reading ${p.dlqTopic}`, ctx.json);
      try {
        return await redriveDeadLetters(
          ctx.connections.kafka,
          await ctx.connections.admin(),
          p,
          selection,
          progress,
        );
      } finally {
        progress.stop();
      }
    },
    (r) => ({ count: r.redriven.length, redriven: r.redriven.slice(0, 100) }),
  );
  if (ctx.json) printJson(ctx, { ...result, count: result.redriven.length });
  else if (result.redriven.length === 0)
    print(ctx, `nothing to redrive: no dead letter of ${p.dlqTopic} matches`);
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
