import { countDeadLetters, type PurgeResult, purgeDeadLetters } from '@fleet/processor';
import { audited } from '../cli-audit.ts';
import { refusal } from '../cli-error.ts';
import { type CommandContext, print, printJson } from '../command-context.ts';
import { confirm } from '../confirm.ts';
import { findProcessor, type RegisteredProcessor } from '../processor-catalog.ts';

/**
 * `fleet dlq purge`: deletes the DLQ's records counted when asking (admin.deleteTopicRecords).
 * Dead letters that arrive meanwhile are kept. Asks on a TTY; elsewhere needs --yes.
 */
export async function dlqPurgeCommand(
  ctx: CommandContext,
  options: { processor: string; yes?: boolean | undefined },
): Promise<PurgeResult> {
  const p = await findProcessor(ctx.connections.db, options.processor);
  return audited(
    ctx,
    { action: 'dlq-purge', processor: p.groupId, arguments: { yes: Boolean(options.yes) } },
    () => purge(ctx, p, options.yes),
  );
}

async function purge(
  ctx: CommandContext,
  p: RegisteredProcessor,
  yes: boolean | undefined,
): Promise<PurgeResult> {
  const admin = await ctx.connections.admin();
  const counted = await countDeadLetters(admin, p);
  const { count } = counted;
  if (count === 0) {
    const empty: PurgeResult = { processor: p.name, dlqTopic: p.dlqTopic, deleted: 0, partitions: [] };
    if (ctx.json) printJson(ctx, empty);
    else print(ctx, `nothing to purge: ${p.dlqTopic} is empty`);
    return empty;
  }
  if (!yes) {
    const answer = await confirm(
      ctx.io,
      `delete ${count} dead letter(s) from ${p.dlqTopic}? This cannot be undone.`,
    );
    if (answer === undefined)
      throw refusal(
        'CONFIRMATION_REQUIRED',
        `refusing to delete ${count} dead letter(s) from ${p.dlqTopic} without confirmation: there is no TTY to ask on; pass --yes`,
      );
    if (!answer) throw refusal('NOT_CONFIRMED', `not confirmed; ${p.dlqTopic} is unchanged`);
  }
  const result = await purgeDeadLetters(admin, p, counted);
  if (ctx.json) printJson(ctx, result);
  else
    print(
      ctx,
      `purged ${count} dead letter(s) from ${p.dlqTopic} (${result.partitions.map((x) => `${x.partition}: ${x.before}→${x.after}`).join(', ')})`,
    );
  return result;
}
