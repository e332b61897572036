import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { EventCodec } from '@fleet/contracts';
import type { Admin, Kafka, Producer } from 'kafkajs';
import type { Kysely } from 'kysely';
import { RebuildJobs } from './admin/rebuild-jobs.ts';
import { consumerParts } from './consumer-parts.ts';
import type { ConsumerSupervisor } from './consumer-supervisor.ts';
import { ControlFollower } from './control-follower.ts';
import { ControlPlane, requestPause } from './control-plane.ts';
import { createDatabase, migrate } from './database.ts';
import type { DeadLetter } from './dead-letter.ts';
import { ensureDeadLetterTopic, sendToDeadLetterTopic } from './dead-letter-topic.ts';
import type { DedupePruner } from './dedupe-pruner.ts';
import { deadLetterTopicOf, type ProcessorDefinition } from './define-processor.ts';
import type { HoldBack } from './hold-back.ts';
import { createIdempotentProducer, createKafka } from './kafka-client.ts';
import { createLogger, type Logger } from './logger.ts';
import type { OutboxRelay } from './outbox-relay.ts';
import { ProcessorMetrics } from './processor-metrics.ts';
import type { ProgressMonitor } from './progress-monitor.ts';
import { type ReadinessChecks, readinessChecks } from './readiness-checks.ts';
import { loadRuntimeConfig, type RuntimeConfig } from './runtime-config.ts';
import { createRuntimeEvents, type RuntimeEvents } from './runtime-events.ts';
import { RuntimeListeners } from './runtime-listeners.ts';
import { logRuntimeEvents } from './runtime-logs.ts';
import type { ScheduleRunner } from './schedule-runner.ts';
import type { AlreadyDeadLettered } from './sub-batch-processor.ts';
import { startTelemetry, type Telemetry } from './telemetry.ts';
import type { Ticker } from './ticker.ts';

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
 * timer (progress and stalls, dedupe pruning, operator controls), and its HTTP listeners (internal:
 * health, metrics, the admin API; public: the service's routes). What it does is observable as `events`.
 */
export class ProcessorRuntime<DB> {
  readonly definition: ProcessorDefinition<DB>;
  readonly config: RuntimeConfig;
  readonly logger: Logger;
  readonly db: Kysely<DB>;
  readonly schema: string;
  readonly groupId: string;
  readonly topics: string[];
  readonly dlqTopic: string;
  readonly metrics: ProcessorMetrics;
  readonly events: RuntimeEvents = createRuntimeEvents();
  readonly instanceId: string;
  readonly listeners = new RuntimeListeners<DB>();

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
    this.dlqTopic = deadLetterTopicOf(definition as ProcessorDefinition<unknown>);
    this.instanceId = `${definition.name}@${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    this.#telemetry = startTelemetry(definition.name);
    this.metrics = new ProcessorMetrics(this.#telemetry.meter, { processor: definition.name });
    this.metrics.observe(this.events);
    logRuntimeEvents(this.events, logger);
    this.db = createDatabase<DB>(config.database, this.schema, definition.name);
    this.#kafka = createKafka(config.kafka, definition.name, logger);
    this.#admin = this.#kafka.admin();
    this.#producer = createIdempotentProducer(this.#kafka);
    this.#codec = new EventCodec({
      registryUrl: config.registry.url,
      events: [...definition.routes.map((r) => r.event), ...(definition.publishes ?? [])],
      ...(config.registry.auth ? { auth: config.registry.auth } : {}),
    });
    const parts = consumerParts({
      definition,
      config,
      logger,
      db: this.db,
      kafka: this.#kafka,
      admin: this.#admin,
      producer: this.#producer,
      codec: this.#codec,
      meter: this.#telemetry.meter,
      metrics: this.metrics,
      events: this.events,
      schema: this.schema,
      groupId: this.groupId,
      topics: this.topics,
      holdBack,
      alreadyDeadLettered,
      sendDeadLetters: (letters) => this.#sendDeadLetters(letters),
    });
    this.#relay = parts.relay;
    this.#schedules = parts.schedules;
    this.#supervisor = parts.supervisor;
    this.#releaseHeld = parts.releaseHeld;
    this.#progress = parts.progress;
    this.#pruner = parts.pruner;
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
    await ensureDeadLetterTopic(this.#admin, this.dlqTopic);
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
        dlqTopic: this.dlqTopic,
        dedupeWindowHours: processing.dedupeWindowHours,
        replay: processing.replay,
        httpAddress: this.internalAddress,
        publicAddress: this.httpAddress,
      },
      this.instanceId,
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
        internal: this.internalAddress,
      },
      'processor started',
    );
  }

  /** The public listener: the service's own routes. */
  get httpAddress(): string | undefined {
    return this.listeners.publicAddress;
  }

  /** The internal listener: health, readiness, metrics, the admin API. */
  get internalAddress(): string | undefined {
    return this.listeners.internalAddress;
  }

  get paused(): boolean {
    return this.#supervisor.pause !== 'off';
  }

  /** Asks every instance of this processor (not only this one) to pause or resume. */
  async requestPause(paused: boolean, by: string): Promise<void> {
    await requestPause(this.db as Kysely<unknown>, this.groupId, paused, by);
  }

  async #sendDeadLetters(letters: DeadLetter[]): Promise<void> {
    const reason = await sendToDeadLetterTopic(this.#producer, this.dlqTopic, this.definition.name, letters);
    if (reason) await this.#control?.recordError(reason).catch(() => {});
  }

  #startHttp(): Promise<void> {
    return this.listeners.start({
      definition: this.definition,
      config: this.config,
      logger: this.logger,
      telemetry: this.#telemetry,
      metrics: this.metrics,
      db: this.db as Kysely<unknown>,
      schema: this.schema,
      groupId: this.groupId,
      topics: this.topics,
      instanceId: this.instanceId,
      events: this.#codec.events,
      readiness: { check: () => this.readiness() },
      admin: {
        kafka: this.#kafka,
        admin: this.#admin,
        jobs: this.#rebuilds,
        startReplica: (definition, options) => ProcessorRuntime.start(definition, options),
        paused: () => this.paused,
        requestPause: (paused, by) => this.requestPause(paused, by),
        withConsumerStopped: (work) => this.#supervisor.detached(work),
      },
    });
  }

  readiness(): Promise<ReadinessChecks> {
    return readinessChecks({
      db: this.db as Kysely<unknown>,
      logger: this.logger,
      member: this.#supervisor.member,
      stalled: this.#progress.stalled,
      stallTimeoutMs: this.config.processing.stallTimeoutMs,
    });
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
      await Promise.allSettled([
        this.#producer.disconnect(),
        this.#admin.disconnect(),
        this.listeners.close(),
      ]);
      await this.db.destroy().catch(() => {});
      await this.#telemetry.shutdown();
      this.logger.info('processor stopped');
    })();
    return this.#stopping;
  }
}
