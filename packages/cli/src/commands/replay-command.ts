import { type ReplayResult, replayOffsets } from '@fleet/processor';
import { audited } from '../cli-audit.ts';
import { usageError } from '../cli-error.ts';
import { type CommandContext, print, printJson } from '../command-context.ts';
import { parseIsoTime } from '../iso-time.ts';
import { parsePartitionOffsets } from '../partition-offsets.ts';
import { findProcessor } from '../processor-catalog.ts';
import { renderTable } from '../table.ts';

export interface ReplayOptions {
  processor: string;
  /** An ISO time, or `earliest`. */
  from?: string | undefined;
  /** `0:100,1:200`, or `topic:0:100` when the processor reads several topics. */
  toOffsets?: string | undefined;
  acceptPartial?: boolean | undefined;
  dryRun?: boolean | undefined;
}

/** `fleet replay`: a plain offset reset of the stopped group, after the retention check. */
export async function replayCommand(ctx: CommandContext, options: ReplayOptions): Promise<ReplayResult> {
  if (Boolean(options.from) === Boolean(options.toOffsets))
    throw usageError(
      'START_REQUIRED',
      'say where to replay from: --from <ISO time>, --from earliest, or --to-offsets 0:100,1:200 (one of them)',
    );
  const from =
    options.from === 'earliest'
      ? ('earliest' as const)
      : options.from
        ? parseIsoTime(options.from, '--from')
        : undefined;
  const toOffsets = options.toOffsets ? parsePartitionOffsets(options.toOffsets, '--to-offsets') : undefined;
  const p = await findProcessor(ctx.connections.db, options.processor);
  const request = { from, toOffsets, acceptPartial: options.acceptPartial, dryRun: options.dryRun };
  const replay = async () => replayOffsets(ctx.connections.kafka, await ctx.connections.admin(), p, request);
  // A dry run changes nothing: not a write, not audited.
  const result = options.dryRun
    ? await replay()
    : await audited(ctx, { action: 'replay', processor: p.groupId, arguments: request }, replay);
  if (ctx.json) printJson(ctx, result);
  else print(ctx, renderReplay(result));
  return result;
}

export function renderReplay(r: ReplayResult): string {
  const table = renderTable(
    ['topic', 'partition', 'before', r.dryRun ? 'would be' : 'after', 'earliest available', 'end', 'missing'],
    r.partitions.map((x) => [
      x.topic,
      x.partition,
      x.before ?? '-',
      r.dryRun ? x.target : (x.after ?? '-'),
      `${x.earliestAvailable}${x.firstAvailableAt ? ` (${x.firstAvailableAt})` : ''}`,
      x.end,
      x.missing ? `${x.missing.fromOffset}..${x.missing.toOffset}` : '',
    ]),
  );
  const head = r.dryRun
    ? `dry run: ${r.processor} (group ${r.groupId}) would replay from ${r.start}; offsets not changed`
    : `${r.processor} (group ${r.groupId}) will replay from ${r.start} when it starts`;
  const members =
    r.dryRun && r.activeMembers.length
      ? `\nthe group has ${r.activeMembers.length} active member(s) (${r.activeMembers.join(', ')}): stop every instance before the real replay\n`
      : '';
  const tail = r.partial
    ? '\npartial: the records marked missing were deleted before the replay and are skipped\n'
    : '';
  return `${head}\n${table}${members}${tail}`;
}
