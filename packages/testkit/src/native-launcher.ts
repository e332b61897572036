import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePorts } from './free-ports.ts';
import { runToCompletion } from './run-to-completion.ts';

/** The native launcher (infra/native/infra.sh): its settings are its environment variables. */
const launcher = fileURLToPath(new URL('../../../infra/native/infra.sh', import.meta.url));

export type Component = 'kafka' | 'registry' | 'zipkin';

/** Runs `infra.sh <args>` with these settings on top of the environment; rejects with its output. */
export function runLauncher(args: string[], settings: Record<string, string>): Promise<void> {
  return runToCompletion('bash', [launcher, ...args], {
    env: { ...process.env, ...settings },
    name: `infra.sh ${args.join(' ')}`,
  });
}

/** A state directory of its own (data, logs, PID files), so nothing touches the shared infrastructure's. */
export function temporaryStateDir(component: Component): string {
  return mkdtempSync(join(tmpdir(), `fleet-${component}-`));
}

export function removeStateDir(stateDir: string): void {
  rmSync(stateDir, { recursive: true, force: true });
}

export const logFileOf = (stateDir: string, component: Component) =>
  join(stateDir, 'logs', `${component}.log`);

/** What the launcher's JVMs have on their command line (infra.sh's signature_of). */
const signature: Record<Component, string> = {
  kafka: 'kafka.Kafka',
  registry: 'quarkus-run.jar',
  zipkin: 'zipkin-server-',
};

/**
 * The component's JVM as the launcher recorded it (`<state>/run/<component>.pid`, the java process
 * itself), when it is alive and its command line is still that component's with this state
 * directory in it (Kafka's log and config paths): a recycled PID is never taken for it.
 */
export function launcherPid(stateDir: string, component: 'kafka' | 'registry'): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(join(stateDir, 'run', `${component}.pid`), 'utf8').trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !processAlive(pid)) return undefined;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    return cmdline.includes(signature[component]) && cmdline.includes(stateDir) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether a process runs: it exists and is not a zombie (the launcher detaches the JVM, so after a
 * SIGKILL it waits for whoever reaps orphans here, and a zombie still answers signal 0).
 */
export function processAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/**
 * Where a component searches for free ports when none are given: below the kernel's ephemeral range,
 * and apart per vitest worker (VITEST_POOL_ID), so test files running at once do not pick the same.
 */
const portBase: Record<Component, number> = { kafka: 20_000, registry: 21_000, zipkin: 22_000 };

/**
 * Starts a component on `count` consecutive free ports (or the ones given): `up(ports)` runs the
 * launcher. Another process may take a port between the check and the start; the launcher then says
 * "already taken", and the next free ports are tried, three times at most.
 */
export async function startOnFreePorts<T>(
  component: Component,
  count: number,
  given: number | undefined,
  up: (ports: number[]) => Promise<T>,
): Promise<T> {
  if (given !== undefined) return up(Array.from({ length: count }, (_, i) => given + i));
  let from = portBase[component] + 50 * Number(process.env.VITEST_POOL_ID ?? 0);
  for (let attempt = 1; ; attempt++) {
    const ports = await freePorts(count, from);
    try {
      return await up(ports);
    } catch (error) {
      if (attempt >= 3 || !/already taken/.test((error as Error).message)) throw error;
      from = (ports.at(-1) as number) + 1;
    }
  }
}
