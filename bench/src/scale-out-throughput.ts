import { waitForStableGroup } from './group-assignment.ts';
import { machineBusySeconds } from './resource-meter.ts';
import { sendBacklog } from './scale-out-backlog.ts';
import {
  backlogProducer,
  dropGroup,
  instanceInput,
  runDatabase,
  type ScaleOutContext,
  scaleOutTopics,
  waitUntilDone,
} from './scale-out-context.ts';
import { InstanceFleet, instanceNames } from './scale-out-fleet.ts';
import { type Correctness, verifyScaleOutRun } from './scale-out-oracle.ts';
import { round } from './scenario.ts';

export interface ThroughputRun {
  instances: number;
  run: number;
  events: number;
  /** From the first events reaching a handler (any instance) to the last sub-batch applied, as for D. */
  seconds: number;
  eventsPerSec: number;
  /** Commit → the first events at a handler (the members' fetches noticing the backlog). */
  wakeUpMs: number;
  /** First spawn → every instance started and the group stable over all partitions. */
  startupSeconds: number;
  /** Partitions per member once stable (the coordinator's view). */
  assignment: number[][];
  /** Events each instance applied, over the window. */
  perInstanceEvents: number[];
  /** CPU of all instances from the commit to their stop (the idle tail until the check included). */
  cpuSeconds: number;
  cpuMicrosPerEvent: number;
  /** Busy CPU of the whole machine (Postgres, the broker, other users' work) over the window, per event. */
  machineCpuMicrosPerEvent: number | null;
  peakRssMb: number[];
  correctness: Correctness;
}

/**
 * One run: the backlog is sent in an open transaction (invisible to the read-committed consumer
 * group), k instances start and the group settles over all partitions, then the commit makes the
 * whole backlog visible to every member at once: the window holds no start-up rebalance.
 */
export async function throughputRun(
  ctx: ScaleOutContext,
  instances: number,
  run: number,
  events: number,
): Promise<ThroughputRun> {
  const schema = `tp${instances}_r${run}`;
  const topics = await scaleOutTopics(ctx, `${schema}.`);
  const producer = await backlogProducer(ctx);
  const transaction = await producer.transaction();
  let committed = false;
  const input = instanceInput(ctx, topics, schema, events);
  const fleet = new InstanceFleet(input);
  const db = await runDatabase(ctx, schema);
  try {
    const backlog = await sendBacklog(transaction, topics, events, ctx.keys);
    const spawnedAt = Date.now();
    await Promise.all(instanceNames(instances).map((n) => fleet.start(n).started));
    const stable = await waitForStableGroup(
      ctx.admin,
      input.groupId,
      backlog.topic,
      instances,
      backlog.partitions,
      () => fleet.check(),
    );
    const startupSeconds = (Date.now() - spawnedAt) / 1000;
    if (fleet.applied.length > 0)
      throw new Error('an instance applied records before the backlog was committed');

    fleet.mark();
    const machineBefore = machineBusySeconds();
    await transaction.commit();
    committed = true;
    const visibleAt = Date.now();
    await waitUntilDone(db, events, () => fleet.check(), Math.max(120_000, events));
    const machineAfter = machineBusySeconds();
    await new Promise((r) => setTimeout(r, 200)); // the last sub-batches' messages may still be in the pipe
    const timeline = fleet.applied;
    const lastAt = Math.max(...timeline.map((a) => a.at));
    const firstAt = Math.min(...fleet.instances.map((i) => i.firstHandledAt ?? Number.POSITIVE_INFINITY));
    await fleet.stopAll();
    const reports = instanceNames(instances).flatMap((n) => fleet.reports.get(n) ?? []);
    const seconds = (lastAt - firstAt) / 1000;
    const cpuSeconds = reports.reduce((n, r) => n + r.cpuSecondsSinceMark, 0);
    const correctness = await verifyScaleOutRun({
      backlog,
      db,
      kafka: ctx.kafka,
      admin: ctx.admin,
      groupId: input.groupId,
      reports,
    });
    return {
      instances,
      run,
      events,
      seconds: round(seconds, 3),
      eventsPerSec: Math.round(events / seconds),
      wakeUpMs: firstAt - visibleAt,
      startupSeconds: round(startupSeconds, 2),
      assignment: stable.members,
      perInstanceEvents: reports.map((r) => r.fresh),
      cpuSeconds: round(cpuSeconds, 2),
      cpuMicrosPerEvent: round((cpuSeconds * 1e6) / events, 1),
      machineCpuMicrosPerEvent:
        machineBefore === null || machineAfter === null
          ? null
          : round(((machineAfter - machineBefore) * 1e6) / events, 1),
      peakRssMb: reports.map((r) => round(r.peakRssMb, 1)),
      correctness,
    };
  } finally {
    fleet.kill();
    if (!committed) await transaction.abort().catch(() => {});
    await producer.disconnect().catch(() => {});
    await db.destroy();
    await dropGroup(ctx, input.groupId);
    await ctx.admin
      .deleteTopics({ topics: [topics.contracts.readings.name, topics.contracts.milestones.name] })
      .catch(() => {});
  }
}
