import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePorts, runToCompletion } from '@fleet/testkit';

const infraScript = fileURLToPath(new URL('../../infra/native/infra.sh', import.meta.url));

/**
 * A Kafka broker of the chaos run's own, started with the native launcher on free ports and its own
 * state directory, so restarting or killing it never touches the shared broker others test against.
 */
export class ChaosBroker {
  readonly brokers: string;
  readonly stateDir: string;
  readonly #env: Record<string, string>;

  private constructor(port: number, controllerPort: number, stateDir: string) {
    this.brokers = `127.0.0.1:${port}`;
    this.stateDir = stateDir;
    this.#env = {
      FLEET_STATE_DIR: stateDir,
      KAFKA_PORT: String(port),
      KAFKA_CONTROLLER_PORT: String(controllerPort),
      KAFKA_HEAP: '-Xmx512m -Xms128m',
    };
  }

  static async start(log: (line: string) => void): Promise<ChaosBroker> {
    const [port, controllerPort] = (await freePorts(2, Number(process.env.CHAOS_KAFKA_PORT ?? 19092))) as [
      number,
      number,
    ];
    const broker = new ChaosBroker(port, controllerPort, mkdtempSync(join(tmpdir(), 'fleet-chaos-')));
    log(`starting the chaos broker on ${broker.brokers} (state ${broker.stateDir})`);
    await broker.#infra('up', 'kafka');
    return broker;
  }

  /**
   * The broker's JVM, as the launcher recorded it (`<state>/run/kafka.pid`, the java process itself),
   * when it is alive and still runs `kafka.Kafka` (a recycled PID is never taken for it).
   */
  pid(): number | undefined {
    let pid: number;
    try {
      pid = Number(readFileSync(join(this.stateDir, 'run', 'kafka.pid'), 'utf8').trim());
    } catch {
      return undefined;
    }
    if (!Number.isInteger(pid) || pid <= 0 || !processAlive(pid)) return undefined;
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    return cmdline.includes('kafka.Kafka') && cmdline.includes(this.stateDir) ? pid : undefined;
  }

  /** SIGTERM, wait for the exit, start again on the same data: topics, offsets and groups survive. */
  restart(): Promise<void> {
    return this.#infra('restart', 'kafka');
  }

  /**
   * A hard crash: SIGKILL of the JVM (no shutdown, no flush, no controlled leadership move), sent
   * synchronously by this call before its first await; resolves once the process is gone. `up()`
   * then starts it on the same data (the broker recovers its unflushed logs). Resolves to the PID
   * that was killed; throws when no broker of this run was alive to kill.
   */
  async kill(): Promise<number> {
    const pid = this.pid();
    if (pid === undefined) throw new Error('the chaos broker is not running: nothing to kill');
    process.kill(pid, 'SIGKILL');
    const deadline = performance.now() + 20_000;
    while (processAlive(pid)) {
      if (performance.now() > deadline)
        throw new Error(`the chaos broker (pid ${pid}) survived SIGKILL for 20 s`);
      await sleep(20);
    }
    return pid;
  }

  /** Starts the broker (after `kill`); a no-op when it runs. */
  up(): Promise<void> {
    return this.#infra('up', 'kafka');
  }

  async stop(removeState: boolean): Promise<void> {
    await this.#infra('down', 'kafka');
    if (removeState) rmSync(this.stateDir, { recursive: true, force: true });
  }

  #infra(...args: string[]): Promise<void> {
    return runToCompletion('bash', [infraScript, ...args], {
      env: { ...process.env, ...this.#env },
      name: `infra.sh ${args.join(' ')}`,
    });
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
