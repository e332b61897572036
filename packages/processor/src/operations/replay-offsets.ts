import type { Admin, Kafka } from 'kafkajs';
import { firstAvailableTimes } from './first-available.ts';
import { type OperatedProcessor, OperationError } from './operation-error.ts';

export interface ReplayRequest {
  /** `earliest` or epoch ms… */
  from?: 'earliest' | number | undefined;
  /** …or concrete offsets; `topic` may be left out when the processor reads one topic. */
  toOffsets?: { topic?: string | undefined; partition: number; offset: number }[] | undefined;
  acceptPartial?: boolean | undefined;
  /** Plan and check only; offsets are not changed (and an active group is reported, not refused). */
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
  /** Members of the group when the replay was planned (a real replay needs none). */
  activeMembers: string[];
  partitions: PartitionPlan[];
}

/**
 * A plain offset reset of the processor's stopped group to concrete offsets (admin.setOffsets,
 * never resetOffsets's -2 sentinel), after checking that retention kept what the replay needs.
 */
export async function replayOffsets(
  kafka: Kafka,
  admin: Admin,
  p: OperatedProcessor,
  request: ReplayRequest,
): Promise<ReplayResult> {
  const { from, toOffsets: wanted } = request;
  if ((from === undefined) === (wanted === undefined))
    throw new OperationError(
      'START_REQUIRED',
      'say where to replay from: a time, earliest, or concrete offsets (one of them)',
    );
  const fromTime = typeof from === 'number' ? from : undefined;

  const [group] = (await admin.describeGroups([p.groupId])).groups;
  const activeMembers = (group?.members ?? []).map((m) => `${m.clientId}@${m.clientHost.replace(/^\//, '')}`);
  if (activeMembers.length > 0 && !request.dryRun)
    throw new OperationError(
      'GROUP_ACTIVE',
      `refusing to move the offsets of ${p.groupId}: the group has ${activeMembers.length} active member(s) (${activeMembers.join(', ')}); stop the processor first (every instance), then replay`,
    );

  if (wanted) {
    if (wanted.some((w) => w.topic === undefined) && p.topics.length > 1)
      throw new OperationError(
        'TOPIC_REQUIRED',
        `${p.name} reads ${p.topics.join(', ')}; give the topic of every offset`,
      );
    const foreign = wanted.filter((w) => w.topic !== undefined && !p.topics.includes(w.topic));
    if (foreign.length)
      throw new OperationError(
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
      if (from === 'earliest') target = low;
      else if (byTime) target = Number(byTime.find((b) => b.partition === end.partition)?.offset ?? high);
      else
        target = wanted?.find(
          (w) => (w.topic ?? p.topics[0]) === topic && w.partition === end.partition,
        )?.offset;
      if (target === undefined) continue; // offsets not given for this partition: unchanged
      if (target > high)
        throw new OperationError(
          'BAD_OFFSETS',
          `offset ${target} of ${topic}:${end.partition} is past the end of the partition (${high}); use an offset up to ${high}`,
        );
      const b = before.get(end.partition);
      // What the replay would need but retention (or a deleteRecords) removed; for a time, decided below.
      const missing =
        low > 0 && (from === 'earliest' || (wanted && target < low))
          ? { fromOffset: wanted ? target : 0, toOffset: low - 1 }
          : null;
      plans.push({
        topic,
        partition: end.partition,
        before: b === undefined || b < 0 ? null : b,
        target: Math.max(target, low),
        after: null,
        earliestAvailable: low,
        end: high,
        firstAvailableAt: null,
        missing,
      });
    }
  }

  // For a time, what is missing depends on when the first available record was written.
  const deleted = plans.filter((x) => x.earliestAvailable > 0);
  if (deleted.length) {
    const firstAt = await firstAvailableTimes(
      kafka,
      admin,
      deleted.map((x) => ({ topic: x.topic, partition: x.partition, low: x.earliestAvailable, high: x.end })),
    );
    for (const plan of deleted) {
      const at = firstAt.get(`${plan.topic}:${plan.partition}`);
      plan.firstAvailableAt = at === undefined ? null : new Date(at).toISOString();
      // No record left at all: the deleted ones may be newer than the start point; count them missing.
      if (fromTime !== undefined && (at === undefined || fromTime < at))
        plan.missing = { fromOffset: 0, toOffset: plan.earliestAvailable - 1 };
    }
  }

  const result: ReplayResult = {
    processor: p.name,
    groupId: p.groupId,
    start:
      fromTime !== undefined
        ? new Date(fromTime).toISOString()
        : from === 'earliest'
          ? 'earliest'
          : `offsets ${wanted?.map((w) => `${w.topic ? `${w.topic}:` : ''}${w.partition}:${w.offset}`).join(',')}`,
    dryRun: Boolean(request.dryRun),
    partial: plans.some((x) => x.missing),
    activeMembers,
    partitions: plans,
  };
  const gaps = plans.filter((x) => x.missing);
  if (gaps.length && !request.acceptPartial)
    throw new OperationError(
      'REPLAY_PARTIAL',
      [
        `refusing to replay ${p.name} from ${result.start}: records it would need were deleted (retention or deleteRecords):`,
        ...gaps.map(describeGap),
        'replaying would silently skip them; accept a partial replay (--accept-partial) to replay what is left',
      ].join('\n'),
      result,
    );
  if (request.dryRun) return result;

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
  return result;
}

export const describeGap = (x: PartitionPlan) =>
  `  ${x.topic}/${x.partition}: offsets ${x.missing?.fromOffset}..${x.missing?.toOffset} are gone; earliest available is offset ${x.earliestAvailable}${x.firstAvailableAt ? ` written ${x.firstAvailableAt}` : ' (no record left in the partition)'}`;
