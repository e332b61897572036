// The demo's fleet as `./fleetw start` launches it (the same node arguments: scripts/service-launch.ts,
// the same traffic generator) at a given rate for a given time, in a namespace of its own (topic prefix,
// database, ports from 8141), so that it neither reads nor disturbs a demo or a test that is running.
// Every process sampled from /proc; its peak is the kernel's (VmHWM).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestDatabase, freePorts, removeTopicNamespace, uniqueName } from '@fleet/testkit';
import { memoryBudget } from '../../packages/processor/src/memory-budget.ts';
import { startSummary } from '../../scripts/demo-summary.ts';
import { budgetFrom, serviceArgs } from '../../scripts/service-launch.ts';
import { demoServices, opsPort, untilReady } from './fleet-memory-idle.ts';
import type { DemoResult, DemoServiceFigures } from './fleet-memory-report.ts';
import { hasEnded, readProcessMemory } from './process-memory.ts';

/** `orders 120 placed: …` → 120 */
const placed = (line: string) => Number(/orders (\d+) placed/.exec(line)?.[1] ?? Number.NaN);

export async function measureDemo(options: {
  rate: number;
  minutes: number;
  targetMb: number;
  sampleSeconds: number;
  /** As before: src/main.ts with type stripping and V8's defaults, no budget. */
  before: boolean;
}): Promise<DemoResult> {
  const startedAt = new Date().toISOString();
  const budgetMb = options.before ? null : budgetFrom(process.env);
  const launch = { compiled: !options.before, budgetMb: budgetMb ?? undefined };
  const prefix = `${uniqueName('memdemo')}.`;
  const database = await createTestDatabase('memdemo');
  const ports = await freePorts(demoServices.length, 8141);
  const port = (name: string) => ports[demoServices.indexOf(name)] ?? 0;
  const key = `oik_${randomUUID()}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    KAFKA_BROKERS: '127.0.0.1:9092',
    SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081/apis/ccompat/v7',
    DATABASE_URL: database.url,
    FLEET_TOPIC_PREFIX: prefix,
    LOG_LEVEL: 'warn',
    INTAKE_API_KEYS: `demo sha256:${createHash('sha256').update(key).digest('hex')} 100000/1m`,
    INTAKE_API_KEY: key,
    FLEET_ADMIN_TOKEN: randomUUID(),
  };
  if (budgetMb !== null) env.PROCESSOR_MEMORY_BUDGET_MB = String(budgetMb);
  else delete env.PROCESSOR_MEMORY_BUDGET_MB;
  const children = new Map<string, ChildProcess>();
  const start = (name: string, args: string[], httpPort?: number) => {
    const child = spawn(process.execPath, args, {
      // Consumer groups are not named after the topic prefix: a group of its own per processor.
      env: {
        ...env,
        ...(httpPort ? { HTTP_PORT: String(httpPort), PROCESSOR_GROUP_ID: `${prefix}${name}` } : {}),
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.set(name, child);
    return child;
  };
  const summaries: { at: number; line: string }[] = [];
  let stopSummary = async () => {};
  const figures = new Map<string, DemoServiceFigures>();
  try {
    const topics = spawnSync(process.execPath, ['packages/contracts/src/bin/apply-topics.ts'], {
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    if (topics.status !== 0) throw new Error('applying the topics failed');
    for (const name of demoServices) start(name, serviceArgs(name, launch), port(name));
    await Promise.all(
      demoServices.map((name) => untilReady(opsPort(name, port(name)), () => hasEnded(children.get(name)))),
    );
    start('traffic-generator', [
      ...serviceArgs('traffic-generator', launch),
      '--rate',
      String(options.rate),
      '--duration',
      '0',
      '--intake-url',
      `http://127.0.0.1:${port('order-intake')}`,
    ]);
    stopSummary = startSummary({
      databaseUrl: database.url,
      services: demoServices.map((name) => ({ name, port: opsPort(name, port(name)) })),
      everyMs: 10_000,
      print: (line) => {
        summaries.push({ at: Date.now(), line });
        console.error(`${new Date().toISOString().slice(11, 19)} ${line}`);
      },
    });
    const windowStart = Date.now();
    const end = windowStart + options.minutes * 60_000;
    console.error(`fleet running at ${options.rate} orders/s (namespace ${prefix}); ${options.minutes} min`);
    while (Date.now() < end) {
      for (const [name, child] of children) {
        if (hasEnded(child))
          throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}) during the run`);
        const memory = readProcessMemory(child.pid ?? 0);
        if (memory)
          figures.set(name, {
            name,
            endRssMb: memory.rssMb,
            peakRssMb: memory.peakRssMb,
            cpuSeconds: memory.cpuSeconds,
          });
      }
      await sleep(options.sampleSeconds * 1000);
    }
    const inWindow = summaries.filter((s) => s.at >= windowStart && /orders \d+ placed/.test(s.line));
    const first = inWindow[0];
    const last = inWindow.at(-1);
    const ordersPerSecond =
      first && last && last.at > first.at
        ? (placed(last.line) - placed(first.line)) / ((last.at - first.at) / 1000)
        : Number.NaN;
    return {
      schemaVersion: 1,
      startedAt,
      node: process.version,
      ratePerSecond: options.rate,
      minutes: options.minutes,
      compiled: launch.compiled,
      budgetMb,
      heapFlags: budgetMb === null ? [] : memoryBudget(budgetMb).nodeFlags,
      targetMb: options.targetMb,
      loadAverage: loadavg(),
      services: [...figures.values()].sort((a, b) => a.name.localeCompare(b.name)),
      ordersPerSecond: Number.isFinite(ordersPerSecond) ? Math.round(ordersPerSecond * 10) / 10 : null,
      lastSummary: summaries.at(-1)?.line ?? null,
    };
  } finally {
    await stopSummary();
    const stop = async (child: ChildProcess | undefined) => {
      if (!child || hasEnded(child)) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 40_000);
      await exited;
      clearTimeout(killer);
    };
    // The traffic first: it calls the intake until it has stopped.
    await stop(children.get('traffic-generator'));
    await Promise.all(demoServices.map((name) => stop(children.get(name))));
    await database.drop();
    await removeTopicNamespace(prefix);
  }
}
