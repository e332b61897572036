import type { Admin } from 'kafkajs';
import type { Kysely } from 'kysely';
import type { ConsumerSupervisor } from './consumer-supervisor.ts';
import { fetchGroupLag } from './lag-monitor.ts';
import type { Logger } from './logger.ts';
import { outboxBacklog } from './outbox-store.ts';
import type { ProcessorMetrics } from './processor-metrics.ts';
import type { RuntimeEvents } from './runtime-events.ts';
import { Ticker } from './ticker.ts';

export interface ProgressMonitorDeps {
  admin: Admin;
  db: Kysely<unknown>;
  groupId: string;
  topics: string[];
  metrics: ProcessorMetrics;
  supervisor: ConsumerSupervisor;
  events: RuntimeEvents;
  logger: Logger;
  everyMs: number;
  stallTimeoutMs: number;
  /** Whether the outbox is relayed here (not in replay): only then is its backlog measured. */
  measureOutbox: boolean;
  /** A replica held back at the live group's offsets waits by design: it is never stalled. */
  holdsBack: boolean;
}

/**
 * Measures lag and the outbox backlog for the gauges, and restarts a consumer that has lag but made
 * no progress for the stall timeout (reported on /readyz meanwhile).
 */
export class ProgressMonitor {
  readonly #d: ProgressMonitorDeps;
  readonly #ticker: Ticker;
  #lastProgress = Date.now();
  stalled = false;

  constructor(deps: ProgressMonitorDeps) {
    this.#d = deps;
    this.#ticker = new Ticker(deps.everyMs, () => this.#check());
    deps.events.on('batch.applied', () => {
      this.#lastProgress = Date.now();
      this.stalled = false;
    });
    // A partition held by its route's policy waits by design: restarting the consumer changes nothing.
    deps.events.on('record.held', () => {
      this.#lastProgress = Date.now();
    });
    // Leaving a pause or a detach starts the clock anew.
    deps.events.on('consumer.pause', () => {
      this.#lastProgress = Date.now();
    });
    deps.events.on('consumer.lifecycle', () => {
      this.#lastProgress = Date.now();
    });
  }

  start(): void {
    this.#ticker.start();
  }

  stop(): Promise<void> {
    return this.#ticker.stop();
  }

  async #check(): Promise<void> {
    const { metrics, supervisor } = this.#d;
    try {
      const lags = await fetchGroupLag(this.#d.admin, this.#d.groupId, this.#d.topics);
      metrics.lag = new Map(lags.map((l) => [`${l.topic}/${l.partition}`, l]));
      if (this.#d.measureOutbox) metrics.outbox = await outboxBacklog(this.#d.db);
    } catch (error) {
      this.#d.logger.warn({ err: error }, 'could not read consumer lag or outbox backlog');
      return;
    }
    const lag = metrics.totalLag();
    const waiting = supervisor.pause !== 'off' || supervisor.lifecycle === 'detached' || this.#d.holdsBack;
    if (lag === 0 || waiting) this.#lastProgress = Date.now();
    const idleMs = Date.now() - this.#lastProgress;
    if (lag === 0 || idleMs <= this.#d.stallTimeoutMs || this.stalled) return;
    if (supervisor.lifecycle === 'stopping' || supervisor.lifecycle === 'stopped') return;
    this.stalled = true;
    this.#d.events.emit('consumer.stalled', { lag, idleMs });
    if (supervisor.lifecycle === 'restarting' && supervisor.consumer) {
      this.#d.logger.error(
        { lag, idleMs },
        'consumer stalled while kafkajs restarts it after a crash; waiting for it',
      );
      return;
    }
    if (!(await supervisor.restart(`lag ${lag} but no progress for ${idleMs} ms`))) this.stalled = false;
  }
}
