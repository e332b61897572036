import { randomUUID } from 'node:crypto';
import { EventCodec, type EventType, envelopeToHeaders, newEnvelope } from '@fleet/contracts';
import { metrics } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';
import type { KafkaMessage } from 'kafkajs';
import type { Kysely } from 'kysely';
import { createDatabase, migrate } from '../database.ts';
import type { DeadLetter } from '../dead-letter.ts';
import type { ProcessorDefinition } from '../define-processor.ts';
import { errorCode } from '../errors.ts';
import { createLogger } from '../logger.ts';
import { deleteOutboxRows, oldestOutboxRows } from '../outbox-store.ts';
import { ProcessorMetrics } from '../processor-metrics.ts';
import { RecordDecoder } from '../record-decoder.ts';
import { loadRuntimeConfig } from '../runtime-config.ts';
import { createRuntimeEvents } from '../runtime-events.ts';
import { SubBatchProcessor } from '../sub-batch-processor.ts';
import { serviceHttp } from './service-http.ts';

/** One event to feed the processor, as an upstream producer would send it. */
export interface SpecEvent<T = unknown> {
  type: EventType<T>;
  data: T;
  /** Default: a random UUID. Give the same ID twice to see deduplication. */
  id?: string;
  /** Default: the event type's key of the data. */
  key?: string;
  correlationId?: string;
}

/** A follow-on event the handlers published, read back from the outbox and decoded. */
export interface PublishedEvent {
  type: string;
  id: string;
  key: string | null;
  causationId: string | undefined;
  correlationId: string | undefined;
  data: unknown;
}

export interface SpecOutcome {
  published: PublishedEvent[];
  deadLettered: { id: string | undefined; code: string; error: unknown }[];
}

export const event = <T>(type: EventType<T>, data: T, options: Omit<SpecEvent<T>, 'type' | 'data'> = {}) =>
  ({ type, data, ...options }) as SpecEvent;

/**
 * Given/when/then for a processor's handlers on real PostgreSQL (and the Schema Registry for its
 * codec), without Kafka: events go through the same decode → dedupe → handlers → outbox path as in
 * production, as one sub-batch per call, and what the handlers published is read back from the outbox.
 * Kafka-level behaviour (offsets, rebalances, crashes, the DLQ topic) stays with the integration tests.
 *
 * ```ts
 * const spec = await ProcessorSpec.start(inventory, { databaseUrl, registryUrl });
 * await spec.given(event(OrderPlaced, order));
 * const { published } = await spec.when(event(OrderCancelled, cancel));
 * expect(published.map((p) => p.type)).toEqual([StockReleased.type]);
 * ```
 */
export class ProcessorSpec<DB> {
  readonly db: Kysely<DB>;
  readonly #codec: EventCodec;
  readonly #subBatches: SubBatchProcessor<DB>;
  readonly #letters: DeadLetter[] = [];
  readonly #definition: ProcessorDefinition<DB>;
  readonly #apps: FastifyInstance[] = [];
  #offset = 0n;

  private constructor(definition: ProcessorDefinition<DB>, db: Kysely<DB>, codec: EventCodec) {
    this.db = db;
    this.#codec = codec;
    this.#definition = definition;
    const meter = metrics.getMeter('processor-spec');
    this.#subBatches = new SubBatchProcessor({
      processor: definition.name,
      db,
      decoder: new RecordDecoder(codec, definition.routes),
      lockAhead: definition.lockAhead,
      codec,
      logger: createLogger({ service: definition.name, processor: definition.name }, 'silent'),
      metrics: new ProcessorMetrics(meter, { processor: definition.name }),
      meter,
      handlerMaxAttempts: 3,
      isReplay: false,
      sendDeadLetters: async (letters) => {
        this.#letters.push(...letters);
      },
      events: createRuntimeEvents(),
      outboxWritten: () => {},
    });
  }

  /**
   * Migrates the processor's schema (`schema`, default its name) in the given database and
   * registers its event schemas. Use a database of the test's own (`createTestDatabase`).
   */
  static async start<DB>(
    definition: ProcessorDefinition<DB>,
    options: { databaseUrl: string; registryUrl: string; schema?: string; events?: EventType[] },
  ): Promise<ProcessorSpec<DB>> {
    const config = loadRuntimeConfig({
      DATABASE_URL: options.databaseUrl,
      KAFKA_BROKERS: 'unused:9092',
      SCHEMA_REGISTRY_URL: options.registryUrl,
    });
    const schema = options.schema ?? definition.name;
    const db = createDatabase<DB>(config.database, schema, `${definition.name}-spec`);
    await migrate(db as Kysely<unknown>, schema, definition.migrations);
    const codec = new EventCodec({
      registryUrl: config.registry.url,
      events: [
        ...definition.routes.map((r) => r.event),
        ...(definition.publishes ?? []),
        ...(options.events ?? []),
      ],
    });
    await codec.registerAll();
    return new ProcessorSpec(definition, db, codec);
  }

  /** Events that happened before: applied, and nothing may be dead-lettered. */
  async given(...events: SpecEvent[]): Promise<void> {
    const outcome = await this.when(...events);
    if (outcome.deadLettered.length > 0)
      throw new Error(
        `given: ${outcome.deadLettered.length} event(s) were dead-lettered: ${outcome.deadLettered.map((d) => `${d.code} ${String(d.error)}`).join('; ')}`,
      );
  }

  /** Events under test, as one sub-batch of one partition, in order; returns what came of them. */
  async when(...events: SpecEvent[]): Promise<SpecOutcome> {
    const messages = await Promise.all(events.map((e) => this.#record(e)));
    this.#letters.length = 0;
    const topic = events[0]?.type.topic.name ?? 'spec';
    await this.#subBatches.process(topic, 0, messages, async () => true);
    const deadLettered = this.#letters.map((l) => ({
      id: l.message.headers?.ce_id?.toString(),
      code: errorCode(l.error),
      error: l.error,
    }));
    return { published: await this.#drainOutbox(), deadLettered };
  }

  /**
   * The service's own HTTP routes (query APIs) on this database, for `inject()`: no port, no network;
   * on the server the runtime builds, so errors are answered as in production.
   */
  async http(): Promise<FastifyInstance> {
    const app = await serviceHttp(this.#definition.http ?? (() => {}), this.db);
    this.#apps.push(app);
    return app;
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.#apps.map((app) => app.close()));
    await this.db.destroy();
  }

  async #record<T>(e: SpecEvent<T>): Promise<KafkaMessage> {
    const id = e.id ?? randomUUID();
    const key = e.key ?? e.type.key(e.data);
    const envelope = newEnvelope({
      id,
      type: e.type.type,
      source: '/test/processor-spec',
      subject: key,
      ...(e.correlationId ? { correlationId: e.correlationId } : {}),
    });
    const headers = Object.fromEntries(
      Object.entries(envelopeToHeaders(envelope)).map(([name, value]) => [name, Buffer.from(value)]),
    );
    const offset = this.#offset++;
    return {
      key: Buffer.from(key),
      value: await this.#codec.encode(e.type, e.data),
      headers,
      offset: offset.toString(),
      timestamp: String(Date.now()),
      attributes: 0,
    } as KafkaMessage;
  }

  async #drainOutbox(): Promise<PublishedEvent[]> {
    const published: PublishedEvent[] = [];
    for (;;) {
      const rows = await this.db.transaction().execute(async (trx) => {
        const batch = await oldestOutboxRows(trx as never, 500);
        if (batch.length > 0)
          await deleteOutboxRows(
            trx as never,
            batch.map((r) => r.seq),
          );
        return batch;
      });
      if (rows.length === 0) return published;
      for (const row of rows) {
        const decoded = await this.#codec.decodeAny(row.value);
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
}
