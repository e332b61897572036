import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { freePorts, waitFor } from '@fleet/testkit';
import { Redis } from 'ioredis';

/**
 * A Redis server of the test's own (Debian's `redis-server`, no persistence) that it can stop and
 * start again on the same port: a real outage, without touching the shared Redis.
 */
export class OwnRedis {
  readonly port: number;
  #server: ChildProcess | undefined;

  private constructor(port: number) {
    this.port = port;
  }

  static async start(): Promise<OwnRedis> {
    const [port] = await freePorts(1, 28760);
    const redis = new OwnRedis(port as number);
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const server = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    let spawnError: Error | undefined;
    server.once('error', (error) => {
      spawnError = error;
    });
    this.#server = server;
    await waitFor(
      `redis-server on port ${this.port} (Debian's redis-server package)`,
      async () => {
        if (spawnError) throw spawnError;
        const probe = new Redis(this.url, { lazyConnect: true, retryStrategy: () => null });
        probe.on('error', () => {}); // connect() rejects with it; not yet listening is expected
        try {
          await probe.connect();
          return (await probe.ping()) === 'PONG' ? true : undefined;
        } finally {
          probe.disconnect();
        }
      },
      { timeoutMs: 10_000 },
    );
  }

  /** Kills the server (no shutdown courtesy: an outage) and waits until it is gone. */
  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (!server || server.exitCode !== null) return;
    const exited = once(server, 'exit');
    server.kill('SIGKILL');
    await exited;
  }
}
