import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { EventCodec, generateAsyncApiYaml } from '@fleet/contracts';
import type { FastifyInstance } from 'fastify';
import { type Admin, type Kafka, Partitioners, type Producer } from 'kafkajs';
import { type Kysely, sql } from 'kysely';
import pRetry from 'p-retry';
import { RebuildJobs } from './admin/rebuild-jobs.ts';
import { runtimeAdmin } from './admin/runtime-admin.ts';
import { batchApplier } from './apply-batch.ts';
import { ConsumerSupervisor } from './consumer-supervisor.ts';
import { ControlFollower } from './control-follower.ts';
import { ControlPlane, requestPause } from './control-plane.ts';
import { createDatabase, migrate } from './database.ts';
import { type DeadLetter, deadLetterMessage } from './dead-letter.ts';
import { DedupePruner } from './dedupe-pruner.ts';
import { deadLetterTopicOf, type ProcessorDefinition } from './define-processor.ts';
import { errorCode } from './errors.ts';
import { isTransientError } from './failure-kind.ts';
import { type HoldBack, HoldBackGate } from './hold-back.ts';
import { createOpsServer } from './http-server.ts';
import { createKafka } from './kafka-client.ts';
import { createLogger, type Logger } from './logger.ts';
import { OutboxRelay } from './outbox-relay.ts';
import { ProcessorMetrics } from './processor-metrics.ts';
import { ProgressMonitor } from './progress-monitor.ts';
import {
  type RebuildOptions,
  type RebuildResult,
  rebuildSideBySide,
  rollBackSideBySide,
} from './rebuild/rebuild-processor.ts';
import type { StartReplica } from './rebuild/replica.ts';
import { RecordDecoder } from './record-decoder.ts';
import { loadRuntimeConfig, type RuntimeConfig } from './runtime-config.ts';
import { createRuntimeEvents, type RuntimeEvents } from './runtime-events.ts';
import { logRuntimeEvents } from './runtime-logs.ts';
import { ScheduleRunner } from './schedule-runner.ts';
import { type AlreadyDeadLettered, SubBatchProcessor } from './sub-batch-processor.ts';
import { startTelemetry, type Telemetry } from './telemetry.ts';
import { Ticker } from './ticker.ts';

export interface StartOptions {
  /** Defaults to the parsed process environment. */
  config?: RuntimeConfig;
  logger?: Logger;
  /** Records at or past a partition's limit wait until the limit moves (a rebuild's replica). */
  holdBack?: HoldBack;
  /** Of letters about to be sent, those the DLQ holds already: not sent again (a rebuild's replica). */
  alreadyDeadLettered?: AlreadyDeadLettered;
}

/**
 * One running instance of a processor, wired from its parts: the consumer supervisor and the batch
 * applier (consume → sub-batches → offsets), the outbox relay, schedules, monitors that each own their
 * timer (progress and stalls, dedupe pruning, operator controls), and the ops HTTP server with the
 * admin API. What it does is observable as `events`.
 */
export class ProcessorRuntime<DB> {
  readonly definition: ProcessorDefinition<DB>;
  readonly config: RuntimeConfig;
  readonly logger: Logger;
  readonly db: Kysely<DB>;
  readonly schema: string;
  readonly groupId: string;
  readonly topics: string[];
  readonly metrics: ProcessorMetrics;
  readonly events: RuntimeEvents = createRuntimeEvents();
  http: FastifyInstance | undefined;
  httpAddress: string | undefined;

  readonly #telemetry: Telemetry;
  readonly #kafka: Kafka;
  readonly #admin: Admin;
  readonly #producer: Producer;
  readonly #codec: EventCodec;
  readonly #relay: OutboxRelay | undefined;
  readonly #schedules: ScheduleRunner<DB> | undefined;
  readonly #supervisor: ConsumerSupervisor;
  readonly #progress: ProgressMonitor;
  readonly #pruner: DedupePruner;
  readonly #holdBack: HoldBackGate | undefined;
  readonly #releaseHeld: Ticker | undefined;
  readonly #rebuilds = new RebuildJobs();
  #control: ControlPlane | undefined;
  #follower: ControlFollower | undefined;
  #stopping: Promise<void> | undefined;

  private constructor(
    definition: ProcessorDefinition<DB>,
    config: RuntimeConfig,
    logger: Logger,
    { holdBack, alreadyDeadLettered }: Omit<StartOptions, 'config' | 'logger'> = {},
  ) {
    this.definition = definition;
    this.config = config;
    this.logger = logger;
    const p = config.processing;
    this.schema = p.dbSchema ?? definition.name;
    this.groupId = p.groupId ?? definition.name;
    this.topics = [...new Set(definition.routes.map((r) => r.event.topic.name))];
    this.#telemetry = startTelemetry(definition.name);
    this.metrics = new ProcessorMetrics(this.#telemetry.meter, { processor: definition.name });
    this.metrics.observe(this.events);
    logRuntimeEvents(this.events, logger);
    this.db = createDatabase<DB>(config.database, this.schema, definition.name);
    this.#kafka = createKafka(config.kafka, definition.name, logger);
    this.#admin = this.#kafka.admin();
    // Idempotent producer with acks=all: no duplicates or reordering from its own retries.
    this.#producer = this.#kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner, // kafkajs 2's murmur2 partitioner, chosen explicitly
    });
    this.#codec = new EventCodec({
      registryUrl: config.registry.url,
      events: [...definition.routes.map((r) => r.event), ...(definition.publishes ?? [])],
      ...(config.registry.auth ? { auth: config.registry.auth } : {}),
    });
    const outboxWritten = () => this.#relay?.wake();
    this.#relay = p.replay
      ? undefined
      : new OutboxRelay({
          db: this.db as Kysely<unknown>,
          producer: this.#producer,
          lockName: `fleet-outbox:${this.schema}`,
          pollMs: p.outboxPollMs,
          logger,
          metrics: this.metrics,
        });
    // A rebuild replays history; what the clock decides belongs to the live version only.
    this.#schedules =
      p.replay || !definition.schedules?.length
        ? undefined
        : new ScheduleRunner({
            processor: definition.name,
            schema: this.schema,
            db: this.db,
            codec: this.#codec,
            logger,
            meter: this.#telemetry.meter,
            schedules: definition.schedules,
            outboxWritten,
          });
    const subBatches = new SubBatchProcessor({
      processor: definition.name,
      db: this.db,
      decoder: new RecordDecoder(this.#codec, definition.routes),
      codec: this.#codec,
      logger,
      metrics: this.metrics,
      meter: this.#telemetry.meter,
      handlerMaxAttempts: p.handlerMaxAttempts,
      isReplay: p.replay,
      sendDeadLetters: (letters) => this.#sendDeadLetters(letters),
      alreadyDeadLettered,
      events: this.events,
      outboxWritten,
    });
    this.#holdBack = holdBack ? new HoldBackGate(holdBack) : undefined;
    this.#supervisor = new ConsumerSupervisor({
      kafka: this.#kafka,
      groupId: this.groupId,
      topics: this.topics,
      processing: p,
      logger,
      events: this.events,
      applyBatch: batchApplier({
        subBatches,
        batchSize: p.batchSize,
        holdBack: this.#holdBack,
        events: this.events,
        paused: () => this.#supervisor.pause !== 'off',
      }),
    });
    const gate = this.#holdBack;
    this.#releaseHeld = gate
      ? new Ticker(500, async () => {
          if (this.#supervisor.pause === 'off') gate.release(this.#supervisor.consumer);
        })
      : undefined;
    this.#progress = new ProgressMonitor({
      admin: this.#admin,
      db: this.db as Kysely<unknown>,
      groupId: this.groupId,
      topics: this.topics,
      metrics: this.metrics,
      supervisor: this.#supervisor,
      events: this.events,
      logger,
      everyMs: p.lagIntervalMs,
      stallTimeoutMs: p.stallTimeoutMs,
      measureOutbox: !p.replay,
      holdsBack: holdBack !== undefined,
    });
    this.#pruner = new DedupePruner(this.db as Kysely<unknown>, p.dedupeWindowHours, logger);
  }

  static async start<DB>(
    definition: ProcessorDefinition<DB>,
    options: StartOptions = {},
  ): Promise<ProcessorRuntime<DB>> {
    const config = options.config ?? loadRuntimeConfig();
    const logger =
      options.logger ??
      createLogger({ service: definition.name, processor: definition.name }, config.logLevel);
    const runtime = new ProcessorRuntime(definition, config, logger, options);
    try {
      await runtime.#start();
    } catch (error) {
      await runtime.stop().catch(() => {});
      throw error;
    }
    return runtime;
  }

  async #start(): Promise<void> {
    const { processing } = this.config;
    await migrate(this.db as Kysely<unknown>, this.schema, this.definition.migrations);
    await this.#codec.registerAll();
    await Promise.all([this.#admin.connect(), this.#producer.connect()]);
    await this.#ensureDeadLetterTopic();
    await this.#supervisor.start();
    this.#relay?.start();
    this.#schedules?.start();
    this.#progress.start();
    this.#pruner.start();
    this.#releaseHeld?.start();
    await this.#startHttp();
    this.#control = new ControlPlane(
      this.db as Kysely<unknown>,
      {
        processor: this.definition.name,
        schema: this.schema,
        groupId: this.groupId,
        topics: this.topics,
        dlqTopic: deadLetterTopicOf(this.definition as ProcessorDefinition<unknown>),
        dedupeWindowHours: processing.dedupeWindowHours,
        replay: processing.replay,
        httpAddress: this.httpAddress,
      },
      `${this.definition.name}@${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`,
    );
    await this.#control.register();
    this.#follower = new ControlFollower(
      this.#control,
      this.#supervisor,
      this.events,
      this.logger,
      Math.min(processing.lagIntervalMs, 1_000),
    );
    this.#follower.start();
    this.logger.info(
      {
        topics: this.topics,
        groupId: this.groupId,
        schema: this.schema,
        replay: processing.replay,
        http: this.httpAddress,
      },
      'processor started',
    );
  }

  get paused(): boolean {
    return this.#supervisor.pause !== 'off';
  }

  /** Asks every instance of this processor (not only this one) to pause or resume. */
  async requestPause(paused: boolean, by: string): Promise<void> {
    await requestPause(this.db as Kysely<unknown>, this.groupId, paused, by);
  }

  async #sendDeadLetters(letters: DeadLetter[]): Promise<void> {
    await this.#producer.send({
      topic: deadLetterTopicOf(this.definition as ProcessorDefinition<unknown>),
      acks: -1,
      messages: letters.map((l) => deadLetterMessage(this.definition.name, l)),
    });
    const last = letters.at(-1)?.error;
    if (last) {
      // For `fleet status`: text Postgres can store, whatever the record held.
      const message = `${errorCode(last)}: ${last instanceof Error ? last.message : String(last)}`;
      await this.#control?.recordError(message.toWellFormed().replaceAll('\u0000', '\\0')).catch(() => {});
    }
  }

  async #ensureDeadLetterTopic(): Promise<void> {
    const topic = deadLetterTopicOf(this.definition as ProcessorDefinition<unknown>);
    // Several services starting on a fresh broker at once: metadata may lag a moment behind.
    await pRetry(
      async () => {
        if ((await this.#admin.listTopics()).includes(topic)) return;
        await this.#admin
          .createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true })
          .catch((error: unknown) => {
            // Another instance created it at the same moment.
            if ((error as { type?: string }).type !== 'TOPIC_ALREADY_EXISTS') throw error;
          });
      },
      { retries: 8, minTimeout: 250, maxTimeout: 4_000, shouldRetry: ({ error }) => isTransientError(error) },
    );
  }

  async #startHttp(): Promise<void> {
    // null: no HTTP server at all (a rebuild's replica); undefined: no port given (runProcessor
    // gives the service's default from its package.json).
    const port = this.config.http.port;
    if (port === null || port === undefined) return;
    this.http = createOpsServer(
      { check: () => this.readiness() },
      this.#telemetry,
      runtimeAdmin({
        definition: this.definition,
        config: this.config,
        processor: {
          name: this.definition.name,
          groupId: this.groupId,
          topics: this.topics,
          dlqTopic: deadLetterTopicOf(this.definition as ProcessorDefinition<unknown>),
        },
        kafka: this.#kafka,
        admin: this.#admin,
        jobs: this.#rebuilds,
        startReplica,
        status: async () => ({
          processor: this.definition.name,
          groupId: this.groupId,
          schema: this.schema,
          paused: this.paused,
          replay: this.config.processing.replay,
          lag: [...this.metrics.lag.values()],
          outbox: this.metrics.outbox,
        }),
        requestPause: (paused, by) => this.requestPause(paused, by),
        withConsumerStopped: (work) => this.#supervisor.detached(work),
      }),
      {
        asyncApiYaml: () =>
          generateAsyncApiYaml({
            events: this.#codec.events,
            title: `${this.definition.name}: the events it reads and writes`,
            exampleSource: `/fleet/${this.definition.name}`,
          }),
      },
      this.logger,
    );
    await this.definition.http?.(this.http, { db: this.db });
    this.httpAddress = await this.http.listen({ host: this.config.http.host, port });
  }

  async readiness(): Promise<Record<string, { ok: boolean; detail?: string }>> {
    let database: { ok: boolean; detail?: string } = { ok: true };
    try {
      await sql`select 1`.execute(this.db);
    } catch (error) {
      // The reason goes to the log, not to whoever asks /readyz.
      this.logger.warn({ err: error }, 'readiness: the database did not answer');
      database = { ok: false, detail: 'the database did not answer (see the log)' };
    }
    return {
      consumerGroup: this.#supervisor.member
        ? { ok: true }
        : { ok: false, detail: 'not a member of the consumer group' },
      database,
      progress: this.#progress.stalled
        ? { ok: false, detail: `no progress for ${this.config.processing.stallTimeoutMs} ms with lag` }
        : { ok: true },
    };
  }

  /** Runs a schedule now (tests, operators); false when another instance holds it. */
  runSchedule(name: string): Promise<boolean> {
    return (
      this.#schedules?.run(name) ?? Promise.reject(new Error(`${this.definition.name} runs no schedules`))
    );
  }

  /** Publishes what is in the outbox now (tests and shutdown); returns how many were sent. */
  async flushOutbox(): Promise<number> {
    let total = 0;
    for (let n = await this.#relay?.publishOnce(); n; n = await this.#relay?.publishOnce()) total += n;
    return total;
  }

  /** Graceful stop: no new fetches, the in-flight sub-batch finishes, outbox flushed, everything closed. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      await Promise.allSettled([
        this.#progress.stop(),
        this.#pruner.stop(),
        this.#follower?.stop(),
        this.#releaseHeld?.stop(),
      ]);
      await this.#rebuilds.abort().catch(() => {});
      await this.#control?.deregister().catch(() => {});
      await this.#supervisor.stop();
      await this.#schedules?.stop();
      await this.#relay?.stop();
      await Promise.allSettled([this.#producer.disconnect(), this.#admin.disconnect(), this.http?.close()]);
      await this.db.destroy().catch(() => {});
      await this.#telemetry.shutdown();
      this.logger.info('processor stopped');
    })();
    return this.#stopping;
  }
}

/** How a rebuild starts the consumer it drives: this runtime, replaying into another schema. */
export const startReplica: StartReplica = (definition, options) =>
  ProcessorRuntime.start(definition, options);

/** A side-by-side rebuild whose replica is this runtime (what the CLI, the admin API and tests run). */
export function rebuildProcessor<DB>(
  definition: ProcessorDefinition<DB>,
  options: Omit<RebuildOptions, 'startReplica'>,
): Promise<RebuildResult> {
  return rebuildSideBySide(definition, { ...options, startReplica });
}

/** Back to the version a rebuild replaced, with this runtime as the replica. */
export function rollbackRebuild<DB>(
  definition: ProcessorDefinition<DB>,
  options: Omit<RebuildOptions, 'startReplica'>,
): Promise<RebuildResult> {
  return rollBackSideBySide(definition, { ...options, startReplica });
}
