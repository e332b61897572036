import { setTimeout as sleep } from 'node:timers/promises';
import { freePorts, processAlive, type StartedBroker, startBroker } from '@fleet/testkit';

export { processAlive };

/**
 * A Kafka broker of the chaos run's own (testkit's startBroker: the native launcher on free ports and
 * its own state directory), so restarting or killing it never touches the shared broker others test
 * against.
 */
export class ChaosBroker {
  readonly brokers: string;
  readonly stateDir: string;
  readonly #broker: StartedBroker;

  private constructor(broker: StartedBroker) {
    this.#broker = broker;
    this.brokers = broker.bootstrapServers;
    this.stateDir = broker.stateDir;
  }

  static async start(log: (line: string) => void): Promise<ChaosBroker> {
    // CHAOS_KAFKA_PORT: the first free pair from there; else testkit's default range.
    const from = process.env.CHAOS_KAFKA_PORT;
    const port = from ? (await freePorts(2, Number(from)))[0] : undefined;
    log('starting the chaos broker');
    const broker = new ChaosBroker(await startBroker({ port, heap: '-Xmx512m -Xms128m' }));
    log(`the chaos broker runs on ${broker.brokers} (state ${broker.stateDir})`);
    return broker;
  }

  /** The broker's JVM while it runs (a recycled PID is never taken for it). */
  pid(): number | undefined {
    return this.#broker.pid();
  }

  /** SIGTERM, wait for the exit, start again on the same data: topics, offsets and groups survive. */
  restart(): Promise<void> {
    return this.#broker.restart();
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
    return this.#broker.start();
  }

  stop(removeState: boolean): Promise<void> {
    return this.#broker.stop({ removeState });
  }
}
