import type { ConsumerSupervisor } from './consumer-supervisor.ts';
import type { ControlPlane } from './control-plane.ts';
import type { Logger } from './logger.ts';
import type { RuntimeEvents } from './runtime-events.ts';
import { Ticker } from './ticker.ts';

/**
 * Heartbeats this instance in the control tables and applies what operators asked (pause/resume),
 * acknowledging it: "paused" is written only once the supervisor says the pause took effect.
 */
export class ControlFollower {
  readonly #control: ControlPlane;
  readonly #supervisor: ConsumerSupervisor;
  readonly #logger: Logger;
  readonly #ticker: Ticker;

  constructor(
    control: ControlPlane,
    supervisor: ConsumerSupervisor,
    events: RuntimeEvents,
    logger: Logger,
    everyMs: number,
  ) {
    this.#control = control;
    this.#supervisor = supervisor;
    this.#logger = logger;
    this.#ticker = new Ticker(everyMs, () => this.#follow());
    // The last batch of a pausing instance is done: acknowledge now, not at the next heartbeat.
    events.on('consumer.pause', ({ to }) => {
      if (to === 'paused') void this.#ticker.runNow();
    });
  }

  start(): void {
    this.#ticker.start();
  }

  stop(): Promise<void> {
    return this.#ticker.stop();
  }

  async #follow(): Promise<void> {
    const acknowledged = () => this.#supervisor.pause === 'paused';
    try {
      const wanted = await this.#control.heartbeat(acknowledged());
      if (wanted === (this.#supervisor.pause !== 'off')) return;
      this.#supervisor.setPaused(wanted);
      await this.#control.heartbeat(acknowledged());
      this.#logger.info(
        { paused: wanted },
        wanted ? 'paused by operator request' : 'resumed by operator request',
      );
    } catch (error) {
      this.#logger.warn({ err: error }, 'could not read or acknowledge operator controls');
    }
  }
}
