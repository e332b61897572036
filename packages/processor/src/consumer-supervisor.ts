import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Logger } from './logger.ts';
import type { RuntimeConfig } from './runtime-config.ts';
import type { RuntimeEvents } from './runtime-events.ts';

/** Where the consumer is in its life. One value, changed only by `#become`, which checks the move. */
export type ConsumerLifecycle = 'starting' | 'running' | 'restarting' | 'detached' | 'stopping' | 'stopped';

/**
 * An operator's pause, apart from the lifecycle because it outlives restarts and detaches. `pausing`:
 * asked, a batch still in flight; `paused`: acknowledged (nothing in flight, offsets committed).
 */
export type PauseState = 'off' | 'pausing' | 'paused';

const moves: Record<ConsumerLifecycle, readonly ConsumerLifecycle[]> = {
  starting: ['running', 'restarting', 'detached', 'stopping'],
  running: ['restarting', 'detached', 'stopping'],
  // kafkajs restarting after a crash rejoins by itself (→ running); ours starts a new consumer.
  restarting: ['starting', 'running', 'restarting', 'stopping'],
  detached: ['starting', 'stopping'],
  stopping: ['stopped'],
  stopped: [],
};

export interface ConsumerSupervisorDeps {
  kafka: Kafka;
  groupId: string;
  topics: string[];
  processing: RuntimeConfig['processing'];
  logger: Logger;
  events: RuntimeEvents;
  /** Applies one fetched batch; the supervisor only counts what is in flight. */
  applyBatch(payload: EachBatchPayload, consumer: Consumer): Promise<void>;
}

/**
 * Owns the kafkajs consumer: starts it, restarts it after a crash or a stall, leaves the group for an
 * offset reset (detach), pauses and resumes it for operators, and stops it. Group membership is an
 * observation (`member`), not a state: kafkajs rebalances on its own.
 */
export class ConsumerSupervisor {
  readonly #d: ConsumerSupervisorDeps;
  #lifecycle: ConsumerLifecycle = 'starting';
  #pause: PauseState = 'off';
  #consumer: Consumer | undefined;
  #inFlight = 0;
  member = false;

  constructor(deps: ConsumerSupervisorDeps) {
    this.#d = deps;
  }

  get lifecycle(): ConsumerLifecycle {
    return this.#lifecycle;
  }

  get pause(): PauseState {
    return this.#pause;
  }

  /** The kafkajs consumer now (undefined while detached or stopped). */
  get consumer(): Consumer | undefined {
    return this.#consumer;
  }

  async start(): Promise<void> {
    const { processing } = this.#d;
    const consumer = this.#d.kafka.consumer({
      groupId: this.#d.groupId,
      sessionTimeout: processing.sessionTimeoutMs,
      heartbeatInterval: Math.floor(processing.sessionTimeoutMs / 10),
      maxWaitTimeInMs: processing.fetch.maxWaitMs,
      maxBytes: processing.fetch.maxBytes,
      maxBytesPerPartition: processing.fetch.maxBytesPerPartition,
    });
    this.#consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      this.member = true;
      if (this.#lifecycle === 'starting' || this.#lifecycle === 'restarting')
        this.#become('running', 'joined the group');
    });
    consumer.on(consumer.events.REBALANCING, () => {
      this.member = false;
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.member = false;
      this.#d.logger.error({ err: payload.error, restart: payload.restart }, 'consumer crashed');
      if (consumer !== this.#consumer || this.#lifecycle === 'stopping' || this.#lifecycle === 'stopped')
        return;
      // kafkajs restarts the consumer itself after a retriable crash (a second one from us would join
      // the group beside it); after a non-retriable crash nobody would, so we do.
      if (payload.restart) this.#become('restarting', 'kafkajs restarts it after a crash');
      else void this.restart('it crashed and kafkajs will not restart it');
    });
    await consumer.connect();
    await consumer.subscribe({ topics: this.#d.topics, fromBeginning: true });
    await consumer.run({
      autoCommit: true, // commits resolved offsets only, and offsets are resolved only after the transaction
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: processing.partitionsConcurrency,
      eachBatch: (payload) => this.#eachBatch(payload, consumer),
    });
    // An operator's pause outlives the consumer it was asked of.
    if (this.#pause !== 'off') consumer.pause(this.#d.topics.map((topic) => ({ topic })));
  }

  /** Replaces the consumer (the old one leaves the group first); false when that failed, to try again. */
  async restart(reason: string): Promise<boolean> {
    if (this.#lifecycle === 'stopping' || this.#lifecycle === 'stopped') return false;
    this.#become('restarting', reason);
    try {
      await this.#consumer?.disconnect();
      this.#become('starting', 'restarting');
      await this.start();
      return true;
    } catch (error) {
      this.#d.logger.error({ err: error }, 'consumer restart failed; will try again');
      await this.#consumer?.disconnect().catch(() => {});
      // No consumer while restarting: ours failed (kafkajs restarting its own keeps one).
      this.#consumer = undefined;
      this.#become('restarting', 'restart failed');
      return false;
    }
  }

  /** Leaves the consumer group while `work` runs (an offset reset), then joins again. */
  async detached<T>(work: () => Promise<T>): Promise<T> {
    this.#become('detached', 'leaving the group for an offset reset');
    try {
      await this.#consumer?.disconnect();
      this.#consumer = undefined;
      return await work();
    } finally {
      if (this.#lifecycle === 'detached') {
        this.#become('starting', 'offset reset done');
        // Should joining fail, the stall monitor retries it like any consumer restart.
        await this.start().catch((error: unknown) =>
          this.#d.logger.error({ err: error }, 'rejoining failed'),
        );
      }
    }
  }

  /** Pauses or resumes fetching for an operator (every topic); a pause is acknowledged once nothing is in flight. */
  setPaused(paused: boolean): void {
    const topics = this.#d.topics.map((topic) => ({ topic }));
    if (paused && this.#pause === 'off') {
      this.#consumer?.pause(topics);
      this.#setPause(this.#inFlight === 0 ? 'paused' : 'pausing');
    } else if (!paused && this.#pause !== 'off') {
      this.#consumer?.resume(topics);
      this.#setPause('off');
    }
  }

  async stop(): Promise<void> {
    if (this.#lifecycle === 'stopping' || this.#lifecycle === 'stopped') return;
    this.#become('stopping', 'stop requested');
    await this.#consumer
      ?.disconnect()
      .catch((error: unknown) => this.#d.logger.warn({ err: error }, 'consumer disconnect'));
    this.#become('stopped', 'stopped');
  }

  async #eachBatch(payload: EachBatchPayload, consumer: Consumer): Promise<void> {
    this.#inFlight++;
    try {
      await this.#d.applyBatch(payload, consumer);
    } finally {
      this.#inFlight--;
      // The last batch of a pausing instance is done: the pause is acknowledged now.
      if (this.#inFlight === 0 && this.#pause === 'pausing') this.#setPause('paused');
    }
  }

  #become(to: ConsumerLifecycle, reason: string): void {
    const from = this.#lifecycle;
    if (from === to && to !== 'restarting') return;
    if (!moves[from].includes(to)) throw new Error(`consumer cannot go from ${from} to ${to} (${reason})`);
    this.#lifecycle = to;
    this.#d.events.emit('consumer.lifecycle', { from, to, reason });
  }

  #setPause(to: PauseState): void {
    const from = this.#pause;
    this.#pause = to;
    this.#d.events.emit('consumer.pause', { from, to });
  }
}
