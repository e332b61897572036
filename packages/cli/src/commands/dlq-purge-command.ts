import { refusal } from '../cli-error.ts';
import { type CommandContext, print, printJson } from '../command-context.ts';
import { confirm } from '../confirm.ts';
import { findProcessor } from '../processor-catalog.ts';

export interface PurgeResult {
  processor: string;
  dlqTopic: string;
  deleted: number;
  partitions: { partition: number; before: number; after: number }[];
}

/**
 * `fleet dlq purge`: deletes the DLQ's records up to its high watermarks (admin.deleteTopicRecords).
 * Dead letters that arrive meanwhile are kept. Asks on a TTY; elsewhere needs --yes.
 */
export async function dlqPurgeCommand(
  ctx: CommandContext,
  options: { processor: string; yes?: boolean | undefined },
): Promise<PurgeResult> {
  const p = await findProcessor(ctx.connections.db, options.processor);
  const admin = await ctx.connections.admin();
  const offsets = (await admin.listTopics()).includes(p.dlqTopic)
    ? await admin.fetchTopicOffsets(p.dlqTopic)
    : [];
  const nonEmpty = offsets.filter((o) => Number(o.high) > Number(o.low));
  const count = nonEmpty.reduce((s, o) => s + Number(o.high) - Number(o.low), 0);
  const result: PurgeResult = { processor: p.name, dlqTopic: p.dlqTopic, deleted: 0, partitions: [] };
  if (count === 0) {
    if (ctx.json) printJson(ctx, result);
    else print(ctx, `nothing to purge: ${p.dlqTopic} is empty`);
    return result;
  }
  if (!options.yes) {
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
  await admin.deleteTopicRecords({
    topic: p.dlqTopic,
    partitions: nonEmpty.map((o) => ({ partition: o.partition, offset: o.high })),
  });
  result.deleted = count;
  result.partitions = nonEmpty.map((o) => ({
    partition: o.partition,
    before: Number(o.low),
    after: Number(o.high),
  }));
  if (ctx.json) printJson(ctx, result);
  else
    print(
      ctx,
      `purged ${count} dead letter(s) from ${p.dlqTopic} (${result.partitions.map((x) => `${x.partition}: ${x.before}→${x.after}`).join(', ')})`,
    );
  return result;
}
