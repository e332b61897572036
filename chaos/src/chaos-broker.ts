import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePorts, runToCompletion } from '@fleet/testkit';

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
    return runToCompletion('bash', [infraScript, ...args], {
      env: { ...process.env, ...this.#env },
      name: `infra.sh ${args.join(' ')}`,
    });
  }
}
