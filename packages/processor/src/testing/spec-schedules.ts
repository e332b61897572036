import { EventCodec } from '@fleet/contracts';
import { metrics } from '@opentelemetry/api';
import type { Kysely, Transaction } from 'kysely';
import type { ProcessorDefinition } from '../define-processor.ts';
import { createLogger } from '../logger.ts';
import { deleteOutboxRows, oldestOutboxRows } from '../outbox-store.ts';
import { ScheduleRunner } from '../schedule-runner.ts';
import type { PublishedEvent } from './processor-spec.ts';

export interface SpecSchedules {
  /**
   * Runs the named schedule once, now, as the runtime's timer would (its transaction, its advisory
   * lock, its follow-ons through the outbox); returns what it published. Throws what the run threw.
   */
  run(name: string): Promise<PublishedEvent[]>;
}

/**
 * A processor's schedules on a ProcessorSpec's database, run on demand instead of on a clock, so a
 * test decides when "later" is: `const schedules = await specSchedules(definition, spec.db, { registryUrl })`,
 * then `await schedules.run('expire-stuck-sagas')`. Give it the spec's `db`: the schedule then sees
 * what the spec's events wrote. Read what `when()` published before running a schedule: both read the
 * same outbox.
 */
export async function specSchedules<DB>(
  definition: ProcessorDefinition<DB>,
  db: Kysely<DB>,
  options: { registryUrl: string; schema?: string },
): Promise<SpecSchedules> {
  const codec = new EventCodec({
    registryUrl: options.registryUrl,
    events: [...(definition.publishes ?? [])],
  });
  await codec.registerAll();
  let failure: unknown;
  // The runner logs a failed run and waits for its next tick; a test wants the error itself.
  const schedules = (definition.schedules ?? []).map((schedule) => ({
    ...schedule,
    run: async (ctx: Parameters<typeof schedule.run>[0]) => {
      try {
        await schedule.run(ctx);
      } catch (error) {
        failure = error;
        throw error;
      }
    },
  }));
  const runner = new ScheduleRunner({
    processor: definition.name,
    schema: options.schema ?? definition.name,
    db,
    codec,
    logger: createLogger({ service: definition.name, processor: definition.name }, 'silent'),
    meter: metrics.getMeter('processor-spec'),
    schedules,
    outboxWritten: () => {},
  });
  return {
    async run(name) {
      failure = undefined;
      const ran = await runner.run(name);
      if (failure !== undefined) throw failure;
      if (!ran)
        throw new Error(
          `schedule ${name} did not run: another run holds its lock, or its transaction failed`,
        );
      return drainOutbox(db as Kysely<unknown>, codec);
    },
  };
}

/** Every row of the outbox, oldest first, decoded and deleted. */
async function drainOutbox(db: Kysely<unknown>, codec: EventCodec): Promise<PublishedEvent[]> {
  const published: PublishedEvent[] = [];
  for (;;) {
    const rows = await db.transaction().execute(async (trx: Transaction<unknown>) => {
      const batch = await oldestOutboxRows(trx, 500);
      if (batch.length > 0)
        await deleteOutboxRows(
          trx,
          batch.map((r) => r.seq),
        );
      return batch;
    });
    if (rows.length === 0) return published;
    for (const row of rows) {
      const decoded = await codec.decodeAny(row.value);
      published.push({
        type: row.headers.ce_type ?? decoded.eventType.type,
        id: row.eventId,
        key: row.key,
        causationId: row.headers.ce_causationid,
        correlationId: row.headers.ce_correlationid,
        data: decoded.data,
      });
    }
  }
}
