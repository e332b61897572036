import { refusal, usageError } from '../cli-error.ts';
import { type CommandContext, print, printJson } from '../command-context.ts';
import { parseIsoTime } from '../iso-time.ts';
import { parsePartitionOffsets } from '../partition-offsets.ts';
import { findProcessor } from '../processor-catalog.ts';
import { renderTable } from '../table.ts';
import { scanPartitions } from '../topic-scanner.ts';

export interface ReplayOptions {
  processor: string;
  /** An ISO time, or `earliest`. */
  from?: string | undefined;
  /** `0:100,1:200`, or `topic:0:100` when the processor reads several topics. */
  toOffsets?: string | undefined;
  acceptPartial?: boolean | undefined;
  dryRun?: boolean | undefined;
}

export interface PartitionPlan {
  topic: string;
  partition: number;
  /** Committed offset before, null when the group has none. */
  before: number | null;
  target: number;
  after: number | null;
  earliestAvailable: number;
  end: number;
  /** Timestamp of the first available record, when records before it were deleted. */
  firstAvailableAt: string | null;
  /** Records 0..earliestAvailable-1 are gone and the start point lies before them. */
  missing: { fromOffset: number; toOffset: number } | null;
}

export interface ReplayResult {
  processor: string;
  groupId: string;
  start: string;
  dryRun: boolean;
  partial: boolean;
  partitions: PartitionPlan[];
}

/**
 * `fleet replay`: a plain offset reset of the stopped group to concrete offsets (admin.setOffsets,
 * never resetOffsets's -2 sentinel), after checking that retention kept what the replay needs.
 */
export async function replayCommand(ctx: CommandContext, options: ReplayOptions): Promise<ReplayResult> {
  if (Boolean(options.from) === Boolean(options.toOffsets))
    throw usageError(
      'START_REQUIRED',
      'say where to replay from: --from <ISO time>, --from earliest, or --to-offsets 0:100,1:200 (one of them)',
    );
  const fromTime =
    options.from && options.from !== 'earliest' ? parseIsoTime(options.from, '--from') : undefined;
  const wanted = options.toOffsets ? parsePartitionOffsets(options.toOffsets, '--to-offsets') : undefined;
  const p = await findProcessor(ctx.connections.db, options.processor);
  const admin = await ctx.connections.admin();

  const [group] = (await admin.describeGroups([p.groupId])).groups;
  if (group && group.members.length > 0)
    throw refusal(
      'GROUP_ACTIVE',
      `refusing to move the offsets of ${p.groupId}: the group has ${group.members.length} active member(s) (${group.members.map((m) => `${m.clientId}@${m.clientHost.replace(/^\//, '')}`).join(', ')}); stop the processor first (every instance), then replay`,
    );

  if (wanted) {
    const unnamed = wanted.filter((w) => w.topic === undefined);
    if (unnamed.length && p.topics.length > 1)
      throw usageError(
        'TOPIC_REQUIRED',
        `${p.name} reads ${p.topics.join(', ')}; write --to-offsets as topic:partition:offset`,
      );
    const foreign = wanted.filter((w) => w.topic !== undefined && !p.topics.includes(w.topic));
    if (foreign.length)
      throw usageError(
        'BAD_OFFSETS',
        `${p.name} does not read ${foreign.map((f) => f.topic).join(', ')}; it reads ${p.topics.join(', ')}`,
      );
  }

  const committed = await admin.fetchOffsets({ groupId: p.groupId, topics: p.topics });
  const plans: PartitionPlan[] = [];
  for (const topic of p.topics) {
    const ends = await admin.fetchTopicOffsets(topic);
    const byTime =
      fromTime !== undefined ? await admin.fetchTopicOffsetsByTimestamp(topic, fromTime) : undefined;
    const before = new Map(
      committed.find((c) => c.topic === topic)?.partitions.map((x) => [x.partition, Number(x.offset)]),
    );
    for (const end of ends) {
      const low = Number(end.low);
      const high = Number(end.high);
      let target: number | undefined;
      if (options.from === 'earliest') target = low;
      else if (byTime) target = Number(byTime.find((b) => b.partition === end.partition)?.offset ?? high);
      else
        target = wanted?.find(
          (w) => (w.topic ?? p.topics[0]) === topic && w.partition === end.partition,
        )?.offset;
      if (target === undefined) continue; // --to-offsets left this partition out: unchanged
      if (target > high)
        throw usageError(
          'BAD_OFFSETS',
          `--to-offsets ${topic}:${end.partition}:${target} is past the end of the partition (${high}); use an offset up to ${high}`,
        );
      const b = before.get(end.partition);
      plans.push({
        topic,
        partition: end.partition,
        before: b === undefined || b < 0 ? null : b,
        target: Math.max(target, low),
        after: null,
        earliestAvailable: low,
        end: high,
        firstAvailableAt: null,
        missing: null,
      });
      // What the replay would need but retention (or a deleteRecords) removed, decided below.
      const plan = plans.at(-1) as PartitionPlan;
      if (low > 0 && (options.from === 'earliest' || (wanted && target < low)))
        plan.missing = { fromOffset: wanted ? target : 0, toOffset: low - 1 };
    }
  }

  // For a time, what is missing depends on when the first available record was written.
  const deleted = plans.filter((x) => x.earliestAvailable > 0);
  if (deleted.length) {
    const first = await scanPartitions(
      ctx.connections.kafka,
      admin,
      deleted
        .filter((x) => x.end > x.earliestAvailable)
        .map((x) => ({ topic: x.topic, partition: x.partition, end: x.earliestAvailable + 1 })),
      { purpose: 'replay-retention' },
    );
    for (const plan of deleted) {
      const record = first.find((r) => r.topic === plan.topic && r.partition === plan.partition);
      plan.firstAvailableAt = record ? new Date(record.timestamp).toISOString() : null;
      // No record left at all: the deleted ones may be newer than the start point; count them missing.
      if (fromTime !== undefined && (!record || fromTime < record.timestamp))
        plan.missing = { fromOffset: 0, toOffset: plan.earliestAvailable - 1 };
    }
  }

  const start = options.from ?? `offsets ${options.toOffsets}`;
  const result: ReplayResult = {
    processor: p.name,
    groupId: p.groupId,
    start: fromTime !== undefined ? new Date(fromTime).toISOString() : start,
    dryRun: Boolean(options.dryRun),
    partial: plans.some((x) => x.missing),
    partitions: plans,
  };
  const gaps = plans.filter((x) => x.missing);
  if (gaps.length && !options.acceptPartial)
    throw refusal(
      'REPLAY_PARTIAL',
      [
        `refusing to replay ${p.name} from ${result.start}: records it would need were deleted (retention or deleteRecords):`,
        ...gaps.map(describeGap),
        'replaying would silently skip them; pass --accept-partial to replay what is left',
      ].join('\n'),
      result,
    );

  if (!options.dryRun) {
    for (const topic of p.topics) {
      const partitions = plans.filter((x) => x.topic === topic);
      if (partitions.length)
        await admin.setOffsets({
          groupId: p.groupId,
          topic,
          partitions: partitions.map((x) => ({ partition: x.partition, offset: String(x.target) })),
        });
    }
    const after = await admin.fetchOffsets({ groupId: p.groupId, topics: p.topics });
    for (const plan of plans) {
      const offset = after
        .find((c) => c.topic === plan.topic)
        ?.partitions.find((x) => x.partition === plan.partition)?.offset;
      plan.after = offset === undefined ? null : Number(offset);
    }
  }

  if (ctx.json) printJson(ctx, result);
  else print(ctx, renderReplay(result));
  return result;
}

export const describeGap = (x: PartitionPlan) =>
  `  ${x.topic}/${x.partition}: offsets ${x.missing?.fromOffset}..${x.missing?.toOffset} are gone; earliest available is offset ${x.earliestAvailable}${x.firstAvailableAt ? ` written ${x.firstAvailableAt}` : ' (no record left in the partition)'}`;

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
  const tail = r.partial
    ? '\npartial: the records marked missing were deleted before the replay and are skipped\n'
    : '';
  return `${head}\n${table}${tail}`;
}
