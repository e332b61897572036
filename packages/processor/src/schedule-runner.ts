import type { EventCodec, EventType } from '@fleet/contracts';
import type { Meter } from '@opentelemetry/api';
import { type Kysely, sql, type Transaction } from 'kysely';
import { PermanentError } from './failure-kind.ts';
import { followOnPublisher } from './follow-on-publisher.ts';
import type { Decision, PublishOptions, ScheduleContext } from './handler-context.ts';
import type { Logger } from './logger.ts';
import { insertOutbox, type OutboxMessage } from './outbox-store.ts';
import type { Schedule } from './schedule.ts';

export interface ScheduleRunnerDeps<DB> {
  processor: string;
  schema: string;
  db: Kysely<DB>;
  codec: EventCodec;
  logger: Logger;
  meter: Meter;
  schedules: Schedule<DB>[];
  /** Called after a run that wrote outbox rows, so the relay publishes them without waiting to poll. */
  outboxWritten(): void;
}

/** Runs a processor's schedules, each on its own timer, one instance of the group at a time. */
export class ScheduleRunner<DB> {
  readonly #d: ScheduleRunnerDeps<DB>;
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #inFlight = new Map<string, Promise<boolean>>();

  constructor(deps: ScheduleRunnerDeps<DB>) {
    this.#d = deps;
  }

  start(): void {
    for (const schedule of this.#d.schedules)
      this.#timers.push(setInterval(() => void this.run(schedule.name), schedule.everyMs));
  }

  /** Runs one schedule now; false when it was running already or another instance holds its lock. */
  run(name: string): Promise<boolean> {
    const schedule = this.#d.schedules.find((s) => s.name === name);
    if (!schedule) return Promise.reject(new Error(`no schedule named ${name}`));
    const running = this.#inFlight.get(name);
    if (running) return running.then(() => false);
    const run = this.#runOnce(schedule)
      .catch((error: unknown) => {
        this.#d.logger.warn(
          { err: error, schedule: name },
          'schedule failed; it runs again at its next tick',
        );
        return false;
      })
      .finally(() => this.#inFlight.delete(name));
    this.#inFlight.set(name, run);
    return run;
  }

  async stop(): Promise<void> {
    for (const timer of this.#timers) clearInterval(timer);
    await Promise.allSettled(this.#inFlight.values());
  }

  async #runOnce(schedule: Schedule<DB>): Promise<boolean> {
    const outbox: OutboxMessage[] = [];
    const ran = await this.#d.db.transaction().execute(async (trx) => {
      const lock = `fleet-schedule:${this.#d.schema}:${schedule.name}`;
      const { rows } = await sql<{ locked: boolean }>`
        select pg_try_advisory_xact_lock(hashtext(${lock})) as locked`.execute(trx);
      if (!rows[0]?.locked) return false;
      await schedule.run(
        scheduleContext(trx, this.#d, followOnPublisher({ ...this.#d, isReplay: false }, outbox)),
      );
      await insertOutbox(trx as Transaction<unknown>, outbox);
      return true;
    });
    if (outbox.length > 0) this.#d.outboxWritten();
    return ran;
  }
}

/** The schedule's context: its follow-ons descend from the decision each publish() names as its cause. */
function scheduleContext<DB>(
  trx: Transaction<DB>,
  deps: { logger: Logger; meter: Meter },
  publishFollowOn: ReturnType<typeof followOnPublisher>,
): ScheduleContext<DB, EventType> {
  return {
    db: trx,
    log: deps.logger,
    meter: deps.meter,
    isReplay: false,
    publish: async (type, data, options: PublishOptions & { cause: Decision }) => {
      const { cause, ...rest } = options ?? {};
      if (typeof cause?.id !== 'string' || cause.id === '')
        throw new PermanentError(
          `publish(${type?.type}) in a schedule needs options.cause: { id } naming the decision the follow-on descends from`,
        );
      const origin = {
        id: cause.id,
        correlationId: cause.correlationId ?? cause.id,
        traceHeaders: () => ({}),
      };
      return publishFollowOn(origin, type, data, rest);
    },
  };
}
