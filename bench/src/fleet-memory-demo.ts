// The demo as a user starts it (`./fleetw start`, here `node scripts/start.ts`) at a given rate for a
// given time; every process of the fleet sampled from /proc, its peak from the kernel (VmHWM).
import { spawn } from 'node:child_process';
import { createConnection } from 'node:net';
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { memoryBudget } from '../../packages/processor/src/memory-budget.ts';
import { budgetFrom } from '../../scripts/service-launch.ts';
import type { DemoResult, DemoServiceFigures } from './fleet-memory-report.ts';
import { childPids, fleetProcessName, readProcessMemory } from './process-memory.ts';

/** The demo's ports (scripts/start.ts and the console): nothing may listen there before it starts. */
const demoPorts = [8100, 8101, 8102, 8103, 8104, 8105, 8106];

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

/** `orders 120 placed: …` → 120 */
const placed = (line: string) => Number(/orders (\d+) placed/.exec(line)?.[1] ?? Number.NaN);

export async function measureDemo(options: {
  rate: number;
  minutes: number;
  targetMb: number;
  sampleSeconds: number;
}): Promise<DemoResult> {
  const busy = (await Promise.all(demoPorts.map(async (p) => ((await listening(p)) ? p : 0)))).filter(
    Boolean,
  );
  if (busy.length > 0)
    throw new Error(`ports ${busy.join(', ')} are in use: is a demo already running? Stop it first.`);
  const startedAt = new Date().toISOString();
  const budgetMb = budgetFrom(process.env);
  const demo = spawn(process.execPath, ['scripts/start.ts'], {
    env: { ...process.env, FLEET_DEMO_RATE: String(options.rate) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const summaries: { at: number; line: string }[] = [];
  let running = false;
  let buffered = '';
  demo.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      if (line.includes('The fleet is running')) running = true;
      if (/^\d\d:\d\d:\d\d orders/.test(line)) summaries.push({ at: Date.now(), line: line.slice(9) });
      if (/WARN|ERROR|FATAL|exited/.test(line)) console.error(line);
    }
  });
  const exited = new Promise((resolve) => demo.once('exit', resolve));
  const figures = new Map<string, DemoServiceFigures & { pid: number }>();
  try {
    const deadline = Date.now() + 180_000;
    while (!running) {
      if (demo.exitCode !== null || Date.now() > deadline)
        throw new Error('the demo did not start within 3 minutes (see its output above)');
      await sleep(500);
    }
    const windowStart = Date.now();
    const end = windowStart + options.minutes * 60_000;
    console.error(`demo running at ${options.rate} orders/s; measuring for ${options.minutes} min`);
    while (Date.now() < end) {
      if (demo.exitCode !== null) throw new Error('the demo stopped during the measurement');
      for (const pid of childPids(demo.pid ?? 0)) {
        const name = fleetProcessName(pid);
        const memory = name ? readProcessMemory(pid) : undefined;
        if (!name || !memory) continue;
        const known = figures.get(name);
        if (known && known.pid !== pid)
          throw new Error(`${name} was restarted during the measurement (pid ${known.pid} → ${pid})`);
        figures.set(name, {
          name,
          pid,
          endRssMb: memory.rssMb,
          peakRssMb: memory.peakRssMb,
          cpuSeconds: memory.cpuSeconds,
        });
      }
      await sleep(options.sampleSeconds * 1000);
    }
    const inWindow = summaries.filter((s) => s.at >= windowStart);
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
      budgetMb,
      heapFlags: memoryBudget(budgetMb).nodeFlags,
      targetMb: options.targetMb,
      loadAverage: loadavg(),
      services: [...figures.values()]
        .map(({ pid: _pid, ...f }) => f)
        .sort((a, b) => a.name.localeCompare(b.name)),
      ordersPerSecond: Number.isFinite(ordersPerSecond) ? Math.round(ordersPerSecond * 10) / 10 : null,
      lastSummary: last?.line ?? null,
    };
  } finally {
    demo.kill('SIGINT');
    const killer = setTimeout(() => demo.kill('SIGKILL'), 90_000);
    await exited;
    clearTimeout(killer);
  }
}
