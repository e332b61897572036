// One instance of processor D (bench-processor.ts, the runtime with default settings) as an OS
// process of its own, so its own consumer-group member, for the scale-out measurement. Input:
// BENCH_SCENARIO (JSON, a ScenarioInput naming topics, database, schema and group); every applied
// sub-batch, rebalance noticed and group joined is reported over IPC as it happens. It starts the runtime (joins the group) when told
// `join`, so that Node's own start can be kept out of a join's timing; `stop` stops it gracefully.
import type { RuntimeEventMap } from '@fleet/processor';
import { startBenchRuntime } from './runtime-processor.ts';
import type { InstanceMessage, ParentMessage } from './scale-out-protocol.ts';
import type { ScenarioInput } from './scenario.ts';
import { watchEmitted } from './watch-emitted.ts';

const input = JSON.parse(process.env.BENCH_SCENARIO ?? 'null') as ScenarioInput | null;
if (!input) throw new Error('BENCH_SCENARIO (JSON) is required');
if (!process.send) throw new Error('scale-out-instance runs as a child process with an IPC channel');

const send = (message: InstanceMessage) =>
  new Promise<void>((resolve) => {
    if (!process.connected) return resolve();
    process.send?.(message, () => resolve());
  });

let fresh = 0;
let records = 0;
let cpuAtMark: NodeJS.CpuUsage | undefined;
const joinRequested = Promise.withResolvers<void>();
const stopRequested = Promise.withResolvers<number>();
process.on('message', (m: ParentMessage) => {
  if (m.kind === 'join') joinRequested.resolve();
  else if (m.kind === 'mark') cpuAtMark = process.cpuUsage();
  else if (m.kind === 'stop') stopRequested.resolve(Date.now());
});
// The measuring process gone (it failed or was killed): leave the group rather than linger.
process.on('disconnect', () => stopRequested.resolve(Date.now()));

const report = (stopReceivedAt: number, cpuSecondsSinceMark: number, cpuSecondsTotal: number) => ({
  stopReceivedAt,
  stopSeconds: (Date.now() - stopReceivedAt) / 1000,
  cpuSecondsSinceMark,
  cpuSecondsTotal,
  peakRssMb: process.resourceUsage().maxRSS / 1024,
  fresh,
  records,
});

try {
  // The runtime's code is loaded (static imports): Node's start is over before the join is timed.
  await send({ kind: 'booted', at: Date.now() });
  const first = await Promise.race([joinRequested.promise.then(() => 'join'), stopRequested.promise]);
  if (first !== 'join') {
    // Stopped before it was told to join: it never was a member.
    await send({ kind: 'stopped', at: Date.now(), report: report(Date.now(), 0, 0) });
    process.exit(0);
  }
  watchEmitted({
    'batch.applied': (e) => {
      const { partition, records: n } = e as RuntimeEventMap['batch.applied'][0];
      records += n;
      void send({ kind: 'applied', at: Date.now(), partition, records: n, fresh });
    },
    // kafkajs' consumer.events.REBALANCING: the member noticed a rebalance and rejoins.
    'consumer.rebalancing': () => void send({ kind: 'rebalancing', at: Date.now() }),
    // consumer.events.GROUP_JOIN: joined and synced, with its assignment.
    'consumer.group_join': (e) => {
      const { memberAssignment } = (e as { payload: { memberAssignment: Record<string, number[]> } }).payload;
      void send({ kind: 'joined', at: Date.now(), partitions: Object.values(memberAssignment).flat() });
    },
  });
  const runtime = await startBenchRuntime(input, (events) => {
    if (fresh === 0 && events.length > 0) void send({ kind: 'handled', at: Date.now() });
    fresh += events.length;
  });
  await send({ kind: 'started', at: Date.now() });

  const stopReceivedAt = await stopRequested.promise;
  const cpu = (since?: NodeJS.CpuUsage) => {
    const used = process.cpuUsage(since);
    return (used.user + used.system) / 1e6;
  };
  const cpuSecondsSinceMark = cpu(cpuAtMark);
  const cpuSecondsTotal = cpu();
  await runtime.stop();
  await send({
    kind: 'stopped',
    at: Date.now(),
    report: report(stopReceivedAt, cpuSecondsSinceMark, cpuSecondsTotal),
  });
  process.exit(0);
} catch (error) {
  await send({ kind: 'error', message: (error as Error).stack ?? String(error) });
  process.exit(1);
}
