import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ledgerMain = fileURLToPath(new URL('../../packages/processor/test/ledger-main.ts', import.meta.url));

export interface InstanceExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

interface Instance {
  child: ChildProcess;
  exited: Promise<InstanceExit>;
  /** Set when the fleet itself kills or stops it: any other exit is unexpected. */
  expectedExit: boolean;
}

/** An instance that ended although nobody killed or stopped it, with what its log said last. */
export interface UnexpectedExit extends InstanceExit {
  name: string;
  pid: number | undefined;
  logTail: string;
}

/**
 * The ledger processor's instances, each a separate Node process (the test service
 * `packages/processor/test/ledger-main.ts`) configured by environment, its output appended to
 * `<logDir>/<name>.log`.
 */
export class ProcessorFleet {
  readonly #env: Record<string, string>;
  readonly #logDir: string;
  readonly #instances = new Map<string, Instance>();
  readonly #logs = new Map<string, WriteStream>();
  readonly #onUnexpectedExit: (exit: UnexpectedExit) => void;
  readonly unexpectedExits: UnexpectedExit[] = [];

  constructor(env: Record<string, string>, logDir: string, onUnexpectedExit: (exit: UnexpectedExit) => void) {
    this.#env = env;
    this.#logDir = logDir;
    this.#onUnexpectedExit = onUnexpectedExit;
  }

  running(): string[] {
    return [...this.#instances.keys()].sort();
  }

  /** PID of each running instance. */
  pids(): Map<string, number> {
    const pids = new Map<string, number>();
    for (const [name, i] of this.#instances) if (i.child.pid !== undefined) pids.set(name, i.child.pid);
    return pids;
  }

  logFile(name: string): string {
    return join(this.#logDir, `${name}.log`);
  }

  start(name: string): void {
    if (this.#instances.has(name)) throw new Error(`instance ${name} is already running`);
    let log = this.#logs.get(name);
    if (!log) {
      log = createWriteStream(this.logFile(name), { flags: 'a' });
      this.#logs.set(name, log);
    }
    log.write(`--- start ${new Date().toISOString()}\n`);
    const child = spawn(process.execPath, [ledgerMain], {
      env: { ...process.env, ...this.#env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    const instance: Instance = {
      child,
      expectedExit: false,
      exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))),
    };
    this.#instances.set(name, instance);
    void instance.exited.then(({ code, signal }) => {
      if (this.#instances.get(name) === instance) this.#instances.delete(name);
      log.write(`--- exit ${code ?? signal} ${new Date().toISOString()}\n`);
      if (!instance.expectedExit) {
        // The child's output may still be on its way through the pipe: read the log a moment later.
        setTimeout(() => {
          const exit: UnexpectedExit = { name, pid: child.pid, code, signal, logTail: this.#tail(name) };
          this.unexpectedExits.push(exit);
          this.#onUnexpectedExit(exit);
        }, 200);
      }
    });
  }

  /** SIGKILL: no shutdown, in-flight transactions and uncommitted offsets are lost. */
  async kill(name: string): Promise<InstanceExit> {
    const instance = this.#take(name);
    instance.child.kill('SIGKILL');
    return instance.exited;
  }

  /** SIGTERM: a graceful leave (the group rebalances); SIGKILL when it takes longer than `timeoutMs`. */
  async stop(name: string, timeoutMs = 30_000): Promise<InstanceExit & { timedOut: boolean }> {
    const instance = this.#take(name);
    instance.child.kill('SIGTERM');
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      instance.child.kill('SIGKILL');
    }, timeoutMs);
    const exit = await instance.exited;
    clearTimeout(timer);
    return { ...exit, timedOut };
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.running().map((name) => this.stop(name)));
    for (const log of this.#logs.values()) log.end();
  }

  #tail(name: string): string {
    try {
      return readFileSync(this.logFile(name), 'utf8').trimEnd().split('\n').slice(-8).join('\n');
    } catch {
      return '';
    }
  }

  #take(name: string): Instance {
    const instance = this.#instances.get(name);
    if (!instance) throw new Error(`instance ${name} is not running`);
    instance.expectedExit = true;
    this.#instances.delete(name);
    return instance;
  }
}
