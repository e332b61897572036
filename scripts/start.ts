// The main job: infrastructure up, topics applied, every service started as its own process,
// the traffic generator at a gentle rate, and where to look. Ctrl-C stops it all cleanly.
// --traces: Zipkin too, and every service sends it its spans (one trace per order flow).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, type WriteStream } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { internalPortFor } from '../packages/processor/src/deployment-settings.ts';
import { startSummary } from './demo-summary.ts';
import { budgetFrom, compileWorkspace, consoleArgs, consoleMain, serviceArgs } from './service-launch.ts';

const defaults: Record<string, string> = {
  KAFKA_BROKERS: '127.0.0.1:9092',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081/apis/ccompat/v7',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
  // Every line goes to the service's log file; the terminal shows warnings, errors and the summary.
  LOG_LEVEL: 'info',
  // The demo's one intake client, the traffic generator, with a key public by design (it opens only
  // this machine's demo) and a budget its traffic fits in. Real keys: services/order-intake README.
  INTAKE_API_KEYS: 'demo sha256:032fbd22b184e50ccafed638b2eac07c9bbffece77ae189f0d6e1adcf49f419c 100000/1m',
  INTAKE_API_KEY: 'oik_demo-local-only-not-a-secret',
  // The processors' admin API and the console share it: a fresh one per run unless set.
  FLEET_ADMIN_TOKEN: crypto.randomUUID(),
};
const env = { ...defaults, ...withoutEmpty(process.env) };
const ports: Record<string, number> = {
  'order-intake': 8101,
  inventory: 8102,
  payments: 8103,
  'order-lifecycle': 8104,
  'order-view': 8105,
  'sales-analytics': 8106,
};
/** Where a service answers /readyz and /metrics: a processor's internal listener, the intake's only one. */
const opsPort = (name: string) =>
  name === 'order-intake' ? (ports[name] ?? 0) : internalPortFor(ports[name] ?? 0);
const rate = process.env.FLEET_DEMO_RATE ?? '5';
const summaryEveryMs = 1000 * Number(process.env.FLEET_DEMO_SUMMARY_SECONDS || '10');
const logDir = join(
  process.env.FLEET_STATE_DIR ||
    join(
      process.env.FLEET_CACHE_DIR ||
        join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'kafka-fleet'),
      'state',
    ),
  'logs',
);
mkdirSync(logDir, { recursive: true });
const traces = process.argv.includes('--traces');
const unknown = process.argv.slice(2).filter((a) => a !== '--traces');
if (unknown.length > 0) {
  console.error(`start: unknown argument ${unknown.join(' ')} (usage: ./fleetw start [--traces])`);
  process.exit(2);
}
const zipkinUrl = `http://127.0.0.1:${process.env.ZIPKIN_PORT || '9411'}`;

const infraWasUp = spawnSync('bash', ['infra/native/infra.sh', 'status'], { stdio: 'ignore' }).status === 0;
if (!infraWasUp && spawnSync('bash', ['infra/native/infra.sh', 'up'], { stdio: 'inherit' }).status !== 0) {
  console.error('start: the infrastructure did not start (see above)');
  process.exit(1);
}
const zipkinWasUp =
  traces &&
  (await fetch(`${zipkinUrl}/health`)
    .then((r) => r.ok)
    .catch(() => false));
if (traces) {
  if (
    !zipkinWasUp &&
    spawnSync('bash', ['infra/native/infra.sh', 'up', 'zipkin'], { stdio: 'inherit' }).status !== 0
  ) {
    console.error('start: Zipkin did not start (see above); without --traces the fleet runs untraced');
    process.exit(1);
  }
  // Every service exports its spans to Zipkin, unless the environment already names an exporter.
  env.OTEL_TRACES_EXPORTER ??= 'zipkin';
  env.OTEL_EXPORTER_ZIPKIN_ENDPOINT ??= `${zipkinUrl}/api/v2/spans`;
  env.OTEL_BSP_SCHEDULE_DELAY ??= '1000';
}
if (
  spawnSync(process.execPath, ['packages/contracts/src/bin/apply-topics.ts'], { stdio: 'inherit', env })
    .status !== 0
) {
  console.error('start: applying the topics failed (see above)');
  process.exit(1);
}
// Services and the console run compiled (no type stripping); the services within one memory budget:
// heap flags here, fetch sizes in the runtime.
if (!compileWorkspace()) {
  console.error('start: compiling the services and the console failed (see above)');
  process.exit(1);
}
env.PROCESSOR_MEMORY_BUDGET_MB = String(budgetFrom(env));
const launch = { compiled: true, budgetMb: budgetFrom(env) };
try {
  serviceArgs('inventory', launch);
} catch (error) {
  console.error(`start: PROCESSOR_MEMORY_BUDGET_MB: ${(error as Error).message}`);
  process.exit(2);
}

const children = new Map<string, ChildProcess>();
let stopping = false;
const services = readdirSync('services').filter(
  (name) => name in ports && existsSync(`services/${name}/src/main.ts`),
);
for (const name of services) start(name, serviceArgs(name, launch));

await Promise.all(services.map((name) => waitReady(name, opsPort(name))));
if (existsSync('services/traffic-generator/src/main.ts'))
  start('traffic-generator', [
    ...serviceArgs('traffic-generator', launch),
    '--rate',
    rate,
    '--duration',
    '0',
  ]);
if (existsSync(consoleMain)) start('console', consoleArgs(launch));

const url = (name: string, path: string) => `http://127.0.0.1:${ports[name]}${path}`;
console.log(`
The fleet is running (${services.length} services${children.has('traffic-generator') ? `, traffic at ${rate} orders/s` : ''}).
  place orders     ${url('order-intake', '/orders')}    API docs ${url('order-intake', '/docs')}
  read orders      ${url('order-view', '/orders')}      OpenAPI  ${url('order-view', '/openapi.json')}
  sales            ${url('sales-analytics', '/sales')}
  stock            ${url('inventory', '/stock')}
  health/metrics   ${services.map((s) => `${s} :${opsPort(s)}`).join(', ')}  (/readyz, /metrics; the processors' admin API too, on 127.0.0.1 only)
  logs             ${logDir}/<service>.log  (every line; here only warnings, errors and a summary every ${summaryEveryMs / 1000} s)
  fleet status     ./fleetw fleet status
  console          http://127.0.0.1:${env.FLEET_CONSOLE_PORT ?? 8100}  (web console; sign in with the tokens it prints, or FLEET_CONSOLE_*_TOKEN)
  traces           ${traces ? `${zipkinUrl}/zipkin/  (Zipkin: one trace per order flow; search by tag fleet.correlation_id=<X-Correlation-Id>)` : './fleetw start --traces runs Zipkin and sends it every span (or set OTEL_* for your collector)'}
Ctrl-C stops everything.
`);
const stopSummary = startSummary({
  databaseUrl: env.DATABASE_URL ?? '',
  services: services.map((name) => ({ name, port: opsPort(name) })),
  everyMs: summaryEveryMs,
  print: (line) => console.log(`${new Date().toISOString().slice(11, 19)} ${line}`),
});

const stop = async () => {
  if (stopping) process.exit(130);
  stopping = true;
  console.log('\nstopping the fleet…');
  await stopSummary();
  const exited = (c: ChildProcess) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)));
  // The traffic first, so that it does not call an intake that has gone; then every service at once.
  const traffic = children.get('traffic-generator');
  traffic?.kill('SIGTERM');
  if (traffic) await exited(traffic);
  for (const child of children.values()) child.kill('SIGTERM');
  await Promise.all([...children.values()].map(exited));
  if (traces && !zipkinWasUp)
    spawnSync('bash', ['infra/native/infra.sh', 'down', 'zipkin'], { stdio: 'inherit' });
  if (!infraWasUp) spawnSync('bash', ['infra/native/infra.sh', 'down'], { stdio: 'inherit' });
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
// Detached services would outlive this script if it ended any other way (a crash): take them along.
process.on('exit', () => {
  for (const child of children.values()) child.kill('SIGTERM');
});

function start(name: string, args: string[]): void {
  const envFile = existsSync('.env') ? ['--env-file=.env'] : [];
  const child = spawn(process.execPath, [...envFile, ...args], {
    env: { ...env, HTTP_PORT: String(ports[name] ?? '') },
    stdio: ['ignore', 'pipe', 'pipe'],
    // A process group of its own: Ctrl-C reaches this script only, which stops each service with one
    // SIGTERM (a terminal's SIGINT to every process and then our SIGTERM would be a second signal,
    // which the services take as "exit now", skipping the graceful stop).
    detached: true,
  });
  children.set(name, child);
  const log: WriteStream = createWriteStream(join(logDir, `${name}.log`), { flags: 'a' });
  const print = (chunk: Buffer) => {
    log.write(chunk);
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      const shown = readable(line);
      if (shown) console.log(`${name.padEnd(17)} ${shown}`);
    }
  };
  child.stdout?.on('data', print);
  child.stderr?.on('data', print);
  child.once('exit', (code, signal) => {
    log.end();
    children.delete(name);
    if (!stopping) console.error(`${name} exited (${signal ?? code}); the others keep running`);
  });
}

/** pino JSON at warn or above → `level message {fields}` for a terminal; '' for lower levels. */
function readable(line: string): string {
  try {
    const {
      level,
      msg,
      time: _t,
      pid: _p,
      hostname: _h,
      service: _s,
      processor: _pr,
      ...rest
    } = JSON.parse(line);
    if (typeof level === 'number' && level < 40) return '';
    const name =
      (
        { 10: 'trace', 20: 'debug', 30: 'info', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' } as Record<
          number,
          string
        >
      )[level] ?? level;
    const fields = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest).slice(0, 300)}` : '';
    return `${name} ${msg ?? ''}${fields}`;
  } catch {
    return line;
  }
}

async function waitReady(name: string, port: number): Promise<void> {
  for (let i = 0; i < 120; i++) {
    if (!children.has(name)) return;
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) return;
    } catch {}
    await sleep(500);
  }
  console.error(`${name} is not ready after 60 s; see its log lines above`);
}

function withoutEmpty(vars: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(vars).filter((e): e is [string, string] => Boolean(e[1])));
}
