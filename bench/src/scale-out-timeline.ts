import type { AppliedBatch, MembershipChange } from './scale-out-fleet.ts';

/**
 * The longest stretch of [from, to] in which no instance applied anything: the window's edges count
 * as points, so "nothing since the event" and "nothing until the end" are stretches too.
 */
export function longestGap(
  applied: readonly AppliedBatch[],
  from: number,
  to: number,
): { ms: number; from: number; to: number } {
  const points = [from, ...applied.map((a) => a.at).filter((t) => t > from && t < to), to].sort(
    (a, b) => a - b,
  );
  let best = { ms: 0, from, to: from };
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1] ?? from;
    const b = points[i] ?? from;
    if (b - a > best.ms) best = { ms: b - a, from: a, to: b };
  }
  return best;
}

/**
 * The longest stretch of [from, to] in which one of `members` applied nothing (its partitions stood
 * still), and whose it was. In an eager rebalance each member stops when it notices the rebalance
 * and resumes when the group has rejoined: the group's own gap is only where those stretches overlap.
 */
export function longestMemberGap(
  applied: readonly AppliedBatch[],
  members: readonly string[],
  from: number,
  to: number,
): { ms: number; from: number; instance: string | null } {
  let best: { ms: number; from: number; instance: string | null } = { ms: 0, from, instance: null };
  for (const instance of members) {
    const gap = longestGap(
      applied.filter((a) => a.instance === instance),
      from,
      to,
    );
    if (gap.ms > best.ms) best = { ms: gap.ms, from: gap.from, instance };
  }
  return best;
}

/** Records applied in (from, to], by every instance or by one. */
export function recordsIn(
  applied: readonly AppliedBatch[],
  from: number,
  to: number,
  instance?: string,
): number {
  let n = 0;
  for (const a of applied)
    if (a.at > from && a.at <= to && (instance === undefined || a.instance === instance)) n += a.records;
  return n;
}

/** The partitions an instance applied sub-batches of in (from, to]: with a backlog, the ones it holds. */
export function partitionsApplied(
  applied: readonly AppliedBatch[],
  instance: string,
  from: number,
  to: number,
): number[] {
  const held = new Set<number>();
  for (const a of applied) if (a.instance === instance && a.at > from && a.at <= to) held.add(a.partition);
  return [...held].sort((a, b) => a - b);
}

/** The first sub-batch after `since` that matches (null: none yet). */
export function firstAfter(
  applied: readonly AppliedBatch[],
  since: number,
  match: (a: AppliedBatch) => boolean,
): AppliedBatch | null {
  let first: AppliedBatch | null = null;
  for (const a of applied) if (a.at > since && match(a) && (first === null || a.at < first.at)) first = a;
  return first;
}

/**
 * Handover of a leaving instance's partitions: for each, when another instance first applied a
 * sub-batch of it after `since` (the stop request); null for a partition nobody has taken over yet.
 */
export function handover(
  applied: readonly AppliedBatch[],
  leaving: string,
  partitions: readonly number[],
  since: number,
): { partition: number; at: number | null; by: string | null }[] {
  return partitions.map((partition) => {
    const first = firstAfter(applied, since, (a) => a.partition === partition && a.instance !== leaving);
    return { partition, at: first?.at ?? null, by: first?.instance ?? null };
  });
}

/** Events/s per instance in buckets of `bucketMs` from `from` to `to`. */
export function bucketed(applied: readonly AppliedBatch[], from: number, to: number, bucketMs: number) {
  const buckets = Math.ceil((to - from) / bucketMs) + 1;
  const perInstance: Record<string, number[]> = {};
  for (const x of applied) {
    const series = perInstance[x.instance] ?? new Array<number>(buckets).fill(0);
    perInstance[x.instance] = series;
    const i = Math.floor((x.at - from) / bucketMs);
    if (i >= 0 && i < buckets) series[i] = (series[i] ?? 0) + (x.records * 1000) / bucketMs;
  }
  return { bucketMs, perInstance };
}

/** One rebalance as the members reported it (kafkajs' REBALANCING and GROUP_JOIN) and lived it. */
export interface RebalanceRound {
  /** The first member noticing the rebalance (null: none reported one, e.g. a group of one). */
  noticedAt: number | null;
  /** The last member joined and synced. */
  rejoinedAt: number;
  /** Every member has applied a sub-batch since its join. */
  applyingAt: number;
}

/**
 * The rebalance `members` went through after `since`, once complete: each has joined after the last
 * one noticed it (the coordinator answers the joins only when every member has rejoined) and has
 * applied since; null while any has not.
 */
export function rebalanceRound(
  membership: readonly MembershipChange[],
  applied: readonly AppliedBatch[],
  members: readonly string[],
  since: number,
): RebalanceRound | null {
  const after = membership.filter((c) => c.at > since && members.includes(c.instance));
  const noticed = after.filter((c) => c.kind === 'rebalancing').map((c) => c.at);
  const lastNotice = noticed.length > 0 ? Math.max(...noticed) : since;
  const joined: number[] = [];
  const applying: number[] = [];
  for (const m of members) {
    const joins = after.filter((c) => c.instance === m && c.kind === 'joined' && c.at >= lastNotice);
    if (joins.length === 0) return null;
    const at = Math.min(...joins.map((c) => c.at));
    const first = firstAfter(applied, at, (a) => a.instance === m);
    if (!first) return null;
    joined.push(at);
    applying.push(first.at);
  }
  return {
    noticedAt: noticed.length > 0 ? Math.min(...noticed) : null,
    rejoinedAt: Math.max(...joined),
    applyingAt: Math.max(...applying),
  };
}
