import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ledgerMain = fileURLToPath(new URL('../../packages/processor/test/ledger-main.ts', import.meta.url));

interface Instance {
  child: ChildProcess;
  exited: Promise<number | null>;
  /** Set when the fleet itself kills or stops it: any other exit is unexpected. */
  expectedExit: boolean;
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
  readonly #onUnexpectedExit: (name: string, code: number | null) => void;
  unexpectedExits = 0;

  constructor(
    env: Record<string, string>,
    logDir: string,
    onUnexpectedExit: (name: string, code: number | null) => void,
  ) {
    this.#env = env;
    this.#logDir = logDir;
    this.#onUnexpectedExit = onUnexpectedExit;
  }

  running(): string[] {
    return [...this.#instances.keys()].sort();
  }

  start(name: string): void {
    if (this.#instances.has(name)) throw new Error(`instance ${name} is already running`);
    let log = this.#logs.get(name);
    if (!log) {
      log = createWriteStream(join(this.#logDir, `${name}.log`), { flags: 'a' });
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
      exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
    };
    this.#instances.set(name, instance);
    void instance.exited.then((code) => {
      if (this.#instances.get(name) === instance) this.#instances.delete(name);
      log.write(`--- exit ${code} ${new Date().toISOString()}\n`);
      if (!instance.expectedExit) {
        this.unexpectedExits++;
        this.#onUnexpectedExit(name, code);
      }
    });
  }

  /** SIGKILL: no shutdown, in-flight transactions and uncommitted offsets are lost. */
  async kill(name: string): Promise<void> {
    const instance = this.#take(name);
    instance.child.kill('SIGKILL');
    await instance.exited;
  }

  /** SIGTERM: a graceful leave (the group rebalances); SIGKILL when it takes longer than `timeoutMs`. */
  async stop(name: string, timeoutMs = 30_000): Promise<number | null> {
    const instance = this.#take(name);
    instance.child.kill('SIGTERM');
    const timer = setTimeout(() => instance.child.kill('SIGKILL'), timeoutMs);
    const code = await instance.exited;
    clearTimeout(timer);
    return code;
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.running().map((name) => this.stop(name)));
    for (const log of this.#logs.values()) log.end();
  }

  #take(name: string): Instance {
    const instance = this.#instances.get(name);
    if (!instance) throw new Error(`instance ${name} is not running`);
    instance.expectedExit = true;
    this.#instances.delete(name);
    return instance;
  }
}
