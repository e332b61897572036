#!/usr/bin/env node
// `pnpm bench:scale-out` — processor D scaled out: a backlog consumed by 1, 2 and 3 instances (each
// its own OS process and consumer-group member), the pauses when instances join and leave, and every
// run checked against an oracle (see ../README.md, "Scale-out").
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { createTestDatabase, removeTopicNamespace, testKafka, uniqueName } from '@fleet/testkit';
import { machineInfo, packageVersions } from './machine-info.ts';
import { replaceSection } from './readme-sections.ts';
import type { ScaleOutContext } from './scale-out-context.ts';
import { backlogFor, rebalanceRun } from './scale-out-rebalance.ts';
import { renderScaleOut, type ScaleOutResult, summarizeThroughput } from './scale-out-result.ts';
import { type ThroughputRun, throughputRun } from './scale-out-throughput.ts';
import { round, runtimeOverrides } from './scenario.ts';

const args = process.argv.slice(2).filter((a) => a !== '--');
const { values } = parseArgs({
  args,
  options: {
    events: { type: 'string', default: '60000' },
    repeats: { type: 'string', default: '3' },
    instances: { type: 'string', default: '1,2,3' },
    'scale-events': { type: 'string', default: 'auto' },
    'scale-instances': { type: 'string' },
    dwell: { type: 'string', default: '2' },
    keys: { type: 'string', default: '10000' },
    'no-rebalance': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    write: { type: 'boolean', default: false },
    out: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  process.stdout.write(`pnpm bench:scale-out [-- options]
  --events N            backlog per throughput run (default 60000)
  --repeats N           runs per configuration, configurations interleaved; median reported (default 3)
  --instances L         configurations: instances consuming the backlog (default 1,2,3)
  --scale-events N      backlog of the rebalance run (default auto: enough for the schedule at the fastest
                        rate of the throughput runs; the schedule stops early should it run out)
  --scale-instances N   instances the rebalance run grows to (default: the largest configuration)
  --dwell S             seconds the group runs unchanged after each join or leave (default 2)
  --keys N              distinct keys (default 10000)
  --no-rebalance        throughput runs only
  --json                the result JSON on stdout (progress on stderr)
  --write               write results/scale-out.json and the README's scale-out section
  --out FILE            write the result JSON to FILE, nothing else
Exit code 1 when any run differs from the oracle.
`);
  process.exit(0);
}

const positive = (name: string, value: string) => {
  const v = Number(value);
  if (!Number.isInteger(v) || v < 1) {
    process.stderr.write(`--${name} must be a positive integer, got "${value}"\n`);
    process.exit(2);
  }
  return v;
};
const events = positive('events', values.events);
const repeats = positive('repeats', values.repeats);
const configurations = values.instances.split(',').map((v) => positive('instances', v.trim()));
const maxInstances = positive(
  'scale-instances',
  values['scale-instances'] ?? String(Math.max(...configurations)),
);
const dwellSeconds = positive('dwell', values.dwell);
const scaleEventsGiven =
  values['scale-events'] === 'auto' ? null : positive('scale-events', values['scale-events']);
const keys = positive('keys', values.keys);
if ([...configurations, maxInstances].some((k) => k > 6)) {
  process.stderr.write('at most 6 instances: the input topic has 6 partitions\n');
  process.exit(2);
}

const log = (line: string) => process.stderr.write(`[scale-out] ${line}\n`);
const uptime = () => execFileSync('uptime', { encoding: 'utf8' }).trim();
const startedAt = new Date();
const began = performance.now();
const uptimeAtStart = uptime();
const machine = await machineInfo();
const notes: string[] = [];
const overrides = Object.entries(runtimeOverrides());
if (overrides.length > 0)
  notes.push(`runtime settings from the environment: ${overrides.map(([k, v]) => `${k}=${v}`).join(' ')}`);

// Every topic and subject of this measurement starts with the namespace and is removed at the end.
const namespace = `${uniqueName('bench-scaleout')}.`;
const database = await createTestDatabase('scaleout');
const kafka = testKafka('bench-scaleout');
const admin = kafka.admin();
await admin.connect();
const ctx: ScaleOutContext = { kafka, admin, databaseUrl: database.url, namespace, keys, log };
log(`uptime: ${uptimeAtStart}`);

const runs: ThroughputRun[] = [];
let scaleEvents = 0;
let rebalance: ScaleOutResult['rebalance'] = null;
try {
  for (let run = 1; run <= repeats; run++)
    for (const instances of configurations) {
      const r = await throughputRun(ctx, instances, run, events);
      runs.push(r);
      log(
        `${instances} instance(s), run ${run}: ${r.eventsPerSec} events/s (${events} in ${r.seconds} s; ${r.cpuMicrosPerEvent} CPU µs/event; start-up ${r.startupSeconds} s; partitions ${JSON.stringify(r.assignment)}) — oracle ${r.correctness.ok ? 'exact' : 'MISMATCH'}`,
      );
    }
  if (!values['no-rebalance']) {
    const fastest = Math.max(...runs.map((r) => r.eventsPerSec));
    scaleEvents = scaleEventsGiven ?? backlogFor(fastest, maxInstances, dwellSeconds);
    rebalance = await rebalanceRun(ctx, scaleEvents, maxInstances, dwellSeconds);
  }
} catch (error) {
  log(`failed: ${(error as Error).stack ?? String(error)}`);
  process.exitCode = 1;
} finally {
  await admin.disconnect().catch(() => {});
  await removeTopicNamespace(namespace);
  await database.drop();
}
if (process.exitCode === 1) process.exit(1);

const throughput = summarizeThroughput(runs, configurations);
const uptimeAtEnd = uptime();
if (machine.loadAverageAtStart[0] !== undefined && machine.loadAverageAtStart[0] > machine.cpus * 0.5)
  notes.push(
    `machine loaded at start (load average ${machine.loadAverageAtStart.join(' ')} on ${machine.cpus} cpus): numbers are noisy`,
  );
const result: ScaleOutResult = {
  schemaVersion: 1,
  startedAt: startedAt.toISOString(),
  durationSeconds: round((performance.now() - began) / 1000, 1),
  settings: {
    events,
    repeats,
    configurations,
    scaleEvents,
    maxInstances,
    dwellSeconds,
    keys,
    partitions: 6,
  },
  throughput,
  rebalance,
  correct: throughput.every((t) => t.correct) && (rebalance?.correctness.ok ?? true),
  machine: { ...machine, loadAverageAtEnd: loadavg().map((l) => round(l, 2)), uptimeAtStart, uptimeAtEnd },
  versions: packageVersions(),
  notes,
};

if (values.out) writeFileSync(values.out, `${JSON.stringify(result, null, 2)}\n`);
else if (values.write) {
  writeFileSync(
    new URL('../results/scale-out.json', import.meta.url),
    `${JSON.stringify(result, null, 2)}\n`,
  );
  const readme = new URL('../README.md', import.meta.url);
  writeFileSync(readme, replaceSection(readFileSync(readme, 'utf8'), 'scale-out', renderScaleOut(result)));
  log('wrote results/scale-out.json and the scale-out section of bench/README.md');
}
process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : `${renderScaleOut(result)}\n`);
process.exit(result.correct ? 0 : 1);
