import { produceCommitted } from './scale-out-backlog.ts';
import {
  dropGroup,
  instanceInput,
  pollUntil,
  runDatabase,
  type ScaleOutContext,
  scaleOutTopics,
  waitUntilDone,
} from './scale-out-context.ts';
import { InstanceFleet, instanceNames } from './scale-out-fleet.ts';
import { type Correctness, verifyScaleOutRun } from './scale-out-oracle.ts';
import {
  bucketed,
  handover,
  longestGap,
  longestMemberGap,
  partitionsApplied,
  type RebalanceRound,
  rebalanceRound,
  recordsIn,
} from './scale-out-timeline.ts';
import { round } from './scenario.ts';

/** A stretch between scale events in which the group's membership did not change. */
export interface SteadyWindow {
  members: number;
  /** Seconds since the run's first sub-batch. */
  fromSeconds: number;
  seconds: number;
  eventsPerSec: number;
  /** Longest stretch without any applied sub-batch: what "no pause" looks like on this machine. */
  longestGapMs: number;
  /** Longest stretch in which one member applied nothing. */
  longestMemberGapMs: number;
}

export interface ScaleEvent {
  kind: 'join' | 'leave';
  instance: string;
  membersBefore: number;
  membersAfter: number;
  /** Seconds since the run's first sub-batch: told to join, or asked to stop (leave). */
  atSeconds: number;
  /** Join: told to join → its runtime started (it had joined: kafkajs' join is part of the start). */
  startedSeconds: number | null;
  /** Leave: stop request → the instance stopped (in-flight sub-batch finished, group left, closed). */
  stopSeconds: number | null;
  /**
   * Event → the first member noticing the rebalance (kafkajs' REBALANCING, at a heartbeat: until
   * then every member goes on as before); null when none reported one.
   */
  noticedSeconds: number | null;
  /** Event → the last member joined and synced (kafkajs' GROUP_JOIN): the new assignment. */
  rejoinedSeconds: number;
  /**
   * Event → every member applying again (each applied a sub-batch since its join) and, for a
   * leave, every partition the leaving instance held applied by another (the handover).
   */
  resumedSeconds: number;
  /** Leave: per partition it held, stop request → first sub-batch of it applied by another instance. */
  handover: { partition: number; seconds: number; by: string }[] | null;
  /** Longest stretch, from the first notice to `resumed`, in which no instance applied anything. */
  pauseMs: number;
  /**
   * The same for one member that stays in the group throughout (not the one joining or leaving):
   * its partitions stood still that long. Members stop one by one, each at its own heartbeat, and
   * resume together, so this is longer than the group's pause.
   */
  memberPauseMs: number;
}

export interface RebalanceRun {
  events: number;
  maxInstances: number;
  dwellSeconds: number;
  seconds: number;
  steady: SteadyWindow[];
  scaleEvents: ScaleEvent[];
  /** Why the schedule stopped early (the backlog would have run out), or null. */
  cutShort: string | null;
  /** Events/s of every instance, per 250 ms, from the first sub-batch: the timeline to plot. */
  timeline: { bucketMs: number; perInstance: Record<string, number[]> };
  correctness: Correctness;
}

const STEP_TIMEOUT_MS = 90_000;

/** The runtime's heartbeat interval: a tenth of its session timeout (PROCESSOR_SESSION_TIMEOUT_MS). */
const heartbeatSeconds = () => Number(process.env.PROCESSOR_SESSION_TIMEOUT_MS ?? 30_000) / 10_000;

/**
 * A backlog that lasts the whole schedule at `eventsPerSec` (the fastest rate seen), with a fifth to
 * spare: a second of warm-up, a steady window, then per join a heartbeat interval and 1.5 s before
 * the new member applies, per leave 1.5 s, each followed by a steady window.
 */
export function backlogFor(eventsPerSec: number, maxInstances: number, dwellSeconds: number): number {
  const steps = maxInstances - 1;
  const seconds =
    1 + dwellSeconds + steps * (heartbeatSeconds() + 1.5 + dwellSeconds) + steps * (1.5 + dwellSeconds);
  return Math.ceil((eventsPerSec * seconds * 1.2) / 10_000) * 10_000;
}
const sleepUntil = (at: number) => new Promise((r) => setTimeout(r, Math.max(0, at - Date.now())));

/**
 * One backlog, one consumer group: instance a alone, then b, c, … join one at a time up to
 * `maxInstances`, then leave again (last in, first out, graceful stop) down to a alone, which
 * finishes the backlog. Between events the group runs `dwellSeconds` unchanged (a steady window).
 */
export async function rebalanceRun(
  ctx: ScaleOutContext,
  events: number,
  maxInstances: number,
  dwellSeconds: number,
): Promise<RebalanceRun> {
  const topics = await scaleOutTopics(ctx, 'scale.');
  const input = instanceInput(ctx, topics, 'scale', events);
  const fleet = new InstanceFleet(input);
  const db = await runDatabase(ctx, 'scale');
  const check = () => fleet.check();
  try {
    const backlog = await produceCommitted(ctx, topics, events);
    ctx.log(`scale: ${events} events produced in ${backlog.seconds.toFixed(1)} s; instance a starts`);

    // Every instance's process is started (Node and the runtime's code loaded) before a joins, so a
    // join times the runtime's start and the rebalance, not Node's start, and needs less backlog.
    const joins = instanceNames(maxInstances).slice(1);
    const a = fleet.start('a');
    await Promise.all([a.started, ...joins.map((name) => fleet.spawn(name).booted)]);
    const t0 = await pollUntil('the first sub-batch', () => a.firstAppliedAt, { timeoutMs: 60_000, check });
    const since = (t: number) => round((t - t0) / 1000, 3);
    const steady: SteadyWindow[] = [];
    const members = ['a'];
    const dwell = async (settledAt: number) => {
      await sleepUntil(settledAt + dwellSeconds * 1000);
      check();
      const to = settledAt + dwellSeconds * 1000;
      steady.push({
        members: members.length,
        fromSeconds: since(settledAt),
        seconds: dwellSeconds,
        eventsPerSec: Math.round(recordsIn(fleet.applied, settledAt, to) / dwellSeconds),
        longestGapMs: longestGap(fleet.applied, settledAt, to).ms,
        longestMemberGapMs: longestMemberGap(fleet.applied, members, settledAt, to).ms,
      });
    };
    // a warms up (its first fetches, the JIT) for a second before its steady window.
    await sleepUntil(t0 + 1000);
    // The start of the current steady window: a leaving instance's partitions are those it applied since.
    let settledAt = Date.now();
    await dwell(settledAt);

    const plan = [
      ...joins.map((name) => ({ kind: 'join' as const, name })),
      ...joins.toReversed().map((name) => ({ kind: 'leave' as const, name })),
    ];
    const scaleEvents: ScaleEvent[] = [];
    let cutShort: string | null = null;
    for (const step of plan) {
      // Enough backlog left for this step and the steady window after it, at the last window's rate?
      // A join takes about a heartbeat interval (members notice it at their next heartbeat: a tenth
      // of the session timeout) and a second; a leave about a second.
      const rate = steady.at(-1)?.eventsPerSec ?? 0;
      const remaining = events - fleet.freshTotal();
      const needed = rate * (dwellSeconds + 1 + (step.kind === 'join' ? heartbeatSeconds() : 0));
      if (remaining < needed) {
        cutShort = `${remaining} events left before "${step.kind} ${step.name}", about ${Math.round(needed)} needed: raise --scale-events`;
        ctx.log(`scale: ${cutShort}`);
        break;
      }
      const before = members.length;
      const staying = members.filter((m) => m !== step.name);
      const event =
        step.kind === 'join'
          ? await join(fleet, step.name, members, check)
          : await leave(fleet, step.name, members, settledAt, check);
      settledAt = event.resumedAt;
      await dwell(settledAt);
      const from = event.round.noticedAt ?? event.at;
      const gap = longestGap(fleet.applied, from, event.resumedAt);
      const memberGap = longestMemberGap(fleet.applied, staying, from, event.resumedAt);
      const seconds = (t: number) => round((t - event.at) / 1000, 3);
      scaleEvents.push({
        ...event.summary,
        membersBefore: before,
        membersAfter: members.length,
        atSeconds: since(event.at),
        noticedSeconds: event.round.noticedAt === null ? null : seconds(event.round.noticedAt),
        rejoinedSeconds: seconds(event.round.rejoinedAt),
        resumedSeconds: seconds(event.resumedAt),
        pauseMs: gap.ms,
        memberPauseMs: memberGap.ms,
      });
      ctx.log(
        `scale: ${step.kind} ${step.name} → ${members.length} member(s): noticed after ${event.round.noticedAt === null ? '—' : seconds(event.round.noticedAt)} s, everyone applying after ${seconds(event.resumedAt)} s; pause ${gap.ms} ms (one member: ${memberGap.ms} ms)`,
      );
    }

    await waitUntilDone(db, events, check, Math.max(STEP_TIMEOUT_MS, events));
    await fleet.stopAll();
    const reports = [...fleet.reports.values()];
    const correctness = await verifyScaleOutRun({
      backlog,
      db,
      kafka: ctx.kafka,
      admin: ctx.admin,
      groupId: input.groupId,
      reports,
    });
    const lastAt = Math.max(...fleet.applied.map((x) => x.at));
    return {
      events,
      maxInstances,
      dwellSeconds,
      seconds: since(lastAt),
      steady,
      scaleEvents,
      cutShort,
      timeline: bucketed(fleet.applied, t0, lastAt, 250),
      correctness,
    };
  } finally {
    fleet.kill();
    await db.destroy();
    await dropGroup(ctx, input.groupId);
    await ctx.admin
      .deleteTopics({ topics: [topics.contracts.readings.name, topics.contracts.milestones.name] })
      .catch(() => {});
  }
}

type StepResult = {
  at: number;
  round: RebalanceRound;
  /** Every member applying again (and, for a leave, every partition it held taken over). */
  resumedAt: number;
  summary: Pick<ScaleEvent, 'kind' | 'instance' | 'startedSeconds' | 'stopSeconds' | 'handover'>;
};

/** Tells a booted instance to join; done when every member, the new one included, applies again. */
async function join(
  fleet: InstanceFleet,
  name: string,
  members: string[],
  check: () => void,
): Promise<StepResult> {
  const handle = fleet.instances.find((i) => i.name === name);
  if (!handle) throw new Error(`instance ${name} was not spawned`);
  fleet.join(name);
  const at = handle.joinAskedAt ?? Date.now();
  members.push(name);
  const round = await pollUntil(
    `the group with ${name} applying`,
    () => rebalanceRound(fleet.membership, fleet.applied, members, at) ?? undefined,
    { timeoutMs: STEP_TIMEOUT_MS, check },
  );
  const startedAt = await handle.started;
  return {
    at,
    round,
    resumedAt: round.applyingAt,
    summary: {
      kind: 'join',
      instance: name,
      startedSeconds: round3((startedAt - at) / 1000),
      stopSeconds: null,
      handover: null,
    },
  };
}

/** Stops an instance gracefully; done when the others apply again and have taken over its partitions. */
async function leave(
  fleet: InstanceFleet,
  name: string,
  members: string[],
  settledAt: number,
  check: () => void,
): Promise<StepResult> {
  const at = Date.now();
  const held = partitionsApplied(fleet.applied, name, settledAt, at);
  const stopping = fleet.stop(name);
  members.splice(members.indexOf(name), 1);
  const { round, taken } = await pollUntil(
    `the group without ${name} applying, its partitions (${held.join(', ')}) taken over`,
    () => {
      const r = rebalanceRound(fleet.membership, fleet.applied, members, at);
      const h = handover(fleet.applied, name, held, at);
      return r && h.every((p) => p.at !== null) ? { round: r, taken: h } : undefined;
    },
    { timeoutMs: STEP_TIMEOUT_MS, check },
  );
  const stopped = await stopping;
  return {
    at,
    round,
    resumedAt: Math.max(round.applyingAt, ...taken.map((p) => p.at ?? 0)),
    summary: {
      kind: 'leave',
      instance: name,
      startedSeconds: null,
      stopSeconds: round3((stopped.at - stopped.askedAt) / 1000),
      handover: taken.map((p) => ({
        partition: p.partition,
        seconds: round3(((p.at ?? 0) - at) / 1000),
        by: p.by ?? '',
      })),
    },
  };
}

const round3 = (value: number) => round(value, 3);
