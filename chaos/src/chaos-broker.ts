import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePorts } from '@fleet/testkit';

const infraScript = fileURLToPath(new URL('../../infra/native/infra.sh', import.meta.url));

/**
 * A Kafka broker of the chaos run's own, started with the native launcher on free ports and its own
 * state directory, so restarting it never touches the shared broker others test against.
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

  /** SIGTERM, wait for the exit, start again on the same data: topics, offsets and groups survive. */
  restart(): Promise<void> {
    return this.#infra('restart', 'kafka');
  }

  async stop(removeState: boolean): Promise<void> {
    await this.#infra('down', 'kafka');
    if (removeState) rmSync(this.stateDir, { recursive: true, force: true });
  }

  #infra(...args: string[]): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn('bash', [infraScript, ...args], {
        env: { ...process.env, ...this.#env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (d: Buffer) => {
        output += d.toString();
      });
      child.stderr.on('data', (d: Buffer) => {
        output += d.toString();
      });
      child.once('exit', (code) =>
        code === 0
          ? resolve()
          : reject(new Error(`infra.sh ${args.join(' ')} exited with ${code}:\n${output.slice(-3_000)}`)),
      );
    });
  }
}
