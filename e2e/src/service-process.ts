import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { internalPortFor } from '@fleet/processor';

const root = new URL('../../', import.meta.url);

/** One service of the fleet as its own process, restartable, with its last output kept for failures. */
export class ServiceProcess {
  readonly name: string;
  readonly port: number;
  readonly #env: Record<string, string>;
  #child: ChildProcess | undefined;
  #output = '';

  constructor(name: string, port: number, env: Record<string, string>) {
    this.name = name;
    this.port = port;
    this.#env = env;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Where it answers /readyz: a processor's internal listener (HTTP_PORT + 1000), else its only one. */
  get opsUrl(): string {
    const processor = existsSync(new URL(`services/${this.name}/src/processor.ts`, root));
    return processor ? `http://127.0.0.1:${internalPortFor(this.port)}` : this.url;
  }

  get output(): string {
    return this.#output;
  }

  start(): void {
    const child = spawn(process.execPath, [new URL(`services/${this.name}/src/main.ts`, root).pathname], {
      env: { ...process.env, ...this.#env, HTTP_PORT: String(this.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (d: Buffer) => {
      this.#output = (this.#output + d.toString()).slice(-20_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.#child = child;
  }

  async ready(timeoutMs = 90_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.#child?.exitCode !== null && this.#child?.exitCode !== undefined)
        throw new Error(`${this.name} exited with ${this.#child.exitCode}:\n${this.#output}`);
      try {
        if ((await fetch(`${this.opsUrl}/readyz`)).ok) return;
      } catch {}
      await sleep(250);
    }
    throw new Error(`${this.name} not ready after ${timeoutMs} ms:\n${this.#output}`);
  }

  /** Stops it: SIGTERM waits for the graceful stop; SIGKILL is a crash. */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<number | null> {
    const child = this.#child;
    if (!child || child.exitCode !== null) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill(signal);
    return exited;
  }
}
