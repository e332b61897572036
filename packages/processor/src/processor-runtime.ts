import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { EventCodec, generateAsyncApiYaml } from '@fleet/contracts';
import type { FastifyInstance } from 'fastify';
import { type Admin, type Consumer, type EachBatchPayload, Partitioners, type Producer } from 'kafkajs';
import { type Kysely, sql } from 'kysely';
import pRetry from 'p-retry';
import { RebuildJobs } from './admin/rebuild-jobs.ts';
import { runtimeAdmin } from './admin/runtime-admin.ts';
import { ControlPlane, requestPause } from './control-plane.ts';
import { createDatabase, migrate } from './database.ts';
import { type DeadLetter, deadLetterMessage } from './dead-letter.ts';
import { pruneEventIds } from './dedupe-store.ts';
import { deadLetterTopicOf, type ProcessorDefinition } from './define-processor.ts';
import { errorCode } from './errors.ts';
import { isTransientError } from './failure-kind.ts';
import { createOpsServer } from './http-server.ts';
import { createKafka } from './kafka-client.ts';
import { fetchGroupLag } from './lag-monitor.ts';
import { createLogger, type Logger } from './logger.ts';
import { type OffsetLimit, OffsetLimitGate } from './offset-limit-gate.ts';
import { OutboxRelay } from './outbox-relay.ts';
import { outboxBacklog } from './outbox-store.ts';
import { ProcessorMetrics } from './processor-metrics.ts';
import { RecordDecoder } from './record-decoder.ts';
import { loadRuntimeConfig, type RuntimeConfig } from './runtime-config.ts';
import { ScheduleRunner } from './schedule-runner.ts';
import { SubBatchProcessor } from './sub-batch-processor.ts';
import { startTelemetry, type Telemetry } from './telemetry.ts';

export interface StartOptions {
  /** Defaults to the parsed process environment. */
  config?: RuntimeConfig;
  logger?: Logger;
  /** Rebuilds: records at or past a partition's limit wait until the limit moves (the live group's position). */
  offsetLimit?: OffsetLimit;
  /** Rebuilds run without the HTTP server. Default true. */
  serveHttp?: boolean;
}

/**
 * One running instance of a processor: migrations applied, schemas registered, consumer group
 * joined, outbox relay, lag and stall monitor, dedupe pruning, and the ops HTTP server.
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
  http: FastifyInstance | undefined;
  httpAddress: string | undefined;

  readonly #telemetry: Telemetry;
  readonly #kafka;
  readonly #admin: Admin;
  readonly #producer: Producer;
  readonly #codec: EventCodec;
  readonly #decoder: RecordDecoder<DB>;
  readonly #relay: OutboxRelay | undefined;
  readonly #subBatches: SubBatchProcessor<DB>;
  readonly #schedules: ScheduleRunner<DB> | undefined;
  #consumer: Consumer | undefined;
  /** kafkajs is restarting the consumer after a crash: the stall monitor leaves it alone. */
  #restartingItself = false;
  #control: ControlPlane | undefined;
  #paused = false;
  /** Batches being applied now; a pause is acknowledged only once none is (see #pauseAcknowledged). */
  #batchesInFlight = 0;
  #followingControls = false;
  #joined = false;
  #stalled = false;
  #lastProgress = Date.now();
  #timers: NodeJS.Timeout[] = [];
  #offsetLimit: OffsetLimitGate | undefined;
  #serveHttp = true;
  /** Leaving the group on purpose (an admin replay): the stall monitor must not rejoin it. */
  #detached = false;
  readonly #rebuilds = new RebuildJobs();
  #stopping: Promise<void> | undefined;

  private constructor(definition: ProcessorDefinition<DB>, config: RuntimeConfig, logger: Logger) {
    this.definition = definition;
    this.config = config;
    this.logger = logger;
    const p = config.processing;
    this.schema = p.dbSchema ?? definition.name;
    this.groupId = p.groupId ?? definition.name;
    this.topics = [...new Set(definition.routes.map((r) => r.event.topic.name))];
    this.#telemetry = startTelemetry(definition.name);
    this.metrics = new ProcessorMetrics(this.#telemetry.meter, { processor: definition.name });
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
      ...authOf(config),
    });
    this.#decoder = new RecordDecoder(this.#codec, definition.routes);
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
            outboxWritten: () => this.#relay?.wake(),
          });
    this.#subBatches = new SubBatchProcessor({
      processor: definition.name,
      db: this.db,
      decoder: this.#decoder,
      codec: this.#codec,
      logger,
      metrics: this.metrics,
      meter: this.#telemetry.meter,
      handlerMaxAttempts: p.handlerMaxAttempts,
      isReplay: p.replay,
      sendDeadLetters: (letters) => this.#sendDeadLetters(letters),
      outboxWritten: () => this.#relay?.wake(),
    });
  }

  static async start<DB>(
    definition: ProcessorDefinition<DB>,
    options: StartOptions = {},
  ): Promise<ProcessorRuntime<DB>> {
    const config = options.config ?? loadRuntimeConfig();
    const logger =
      options.logger ??
      createLogger({ service: definition.name, processor: definition.name }, config.logLevel);
    const runtime = new ProcessorRuntime(definition, config, logger);
    if (options.offsetLimit) runtime.#offsetLimit = new OffsetLimitGate(options.offsetLimit);
    runtime.#serveHttp = options.serveHttp ?? true;
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
    await this.#startConsumer();
    this.#relay?.start();
    this.#schedules?.start();
    this.#timers.push(
      setInterval(() => void this.#monitor(), processing.lagIntervalMs),
      setInterval(() => void this.#prune(), 3_600_000),
    );
    void this.#prune();
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
    this.#timers.push(
      setInterval(() => void this.#followControls(), Math.min(processing.lagIntervalMs, 1_000)),
    );
    const gate = this.#offsetLimit;
    if (gate)
      this.#timers.push(
        setInterval(() => {
          if (!this.#paused) gate.release(this.#consumer);
        }, 500),
      );
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

  async #startConsumer(): Promise<void> {
    const { sessionTimeoutMs, fetch } = this.config.processing;
    const consumer = this.#kafka.consumer({
      groupId: this.groupId,
      sessionTimeout: sessionTimeoutMs,
      heartbeatInterval: Math.floor(sessionTimeoutMs / 10),
      maxWaitTimeInMs: fetch.maxWaitMs,
      maxBytes: fetch.maxBytes,
      maxBytesPerPartition: fetch.maxBytesPerPartition,
    });
    this.#consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      this.#joined = true;
      this.#restartingItself = false;
    });
    consumer.on(consumer.events.REBALANCING, () => {
      this.#joined = false;
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.#joined = false;
      this.logger.error({ err: payload.error, restart: payload.restart }, 'consumer crashed');
      // kafkajs restarts the consumer itself after a retriable crash; a second consumer from us would
      // join the group beside it. After a non-retriable crash nobody would, so we do.
      if (payload.restart) this.#restartingItself = true;
      else if (consumer === this.#consumer)
        void this.#restartConsumer('it crashed and kafkajs will not restart it');
    });
    await consumer.connect();
    await consumer.subscribe({ topics: this.topics, fromBeginning: true });
    await consumer.run({
      autoCommit: true, // commits resolved offsets only, and we resolve only after the transaction
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.config.processing.partitionsConcurrency,
      eachBatch: (payload) => this.#eachBatch(payload),
    });
    if (this.#paused) consumer.pause(this.topics.map((topic) => ({ topic })));
  }

  /** Heartbeats in the control tables and applies what operators asked (pause/resume), acknowledging it. */
  async #followControls(): Promise<void> {
    if (!this.#control || this.#stopping || this.#followingControls) return;
    this.#followingControls = true;
    try {
      const wanted = await this.#control.heartbeat(this.#pauseAcknowledged());
      if (wanted === this.#paused) return;
      const topics = this.topics.map((topic) => ({ topic }));
      if (wanted) this.#consumer?.pause(topics);
      else this.#consumer?.resume(topics);
      this.#paused = wanted;
      this.#lastProgress = Date.now();
      await this.#control.heartbeat(this.#pauseAcknowledged());
      this.logger.info(
        { paused: wanted },
        wanted ? 'paused by operator request' : 'resumed by operator request',
      );
    } catch (error) {
      this.logger.warn({ err: error }, 'could not read or acknowledge operator controls');
    } finally {
      this.#followingControls = false;
    }
  }

  /**
   * "Paused" as operators and a rebuild's switch read it: no batch in flight, and the offsets of
   * everything applied are committed. So once every instance says so, the group's offsets are final.
   */
  #pauseAcknowledged(): boolean {
    return this.#paused && this.#batchesInFlight === 0;
  }

  get paused(): boolean {
    return this.#paused;
  }

  /** Asks every instance of this processor (not only this one) to pause or resume. */
  async requestPause(paused: boolean, by: string): Promise<void> {
    await requestPause(this.db as Kysely<unknown>, this.groupId, paused, by);
  }

  async #eachBatch(payload: EachBatchPayload): Promise<void> {
    this.#batchesInFlight++;
    try {
      await this.#applyBatch(payload);
    } finally {
      this.#batchesInFlight--;
      // The last batch of a paused instance is done: acknowledge now, not at the next heartbeat.
      if (this.#pauseAcknowledged()) void this.#followControls();
    }
  }

  async #applyBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    const size = this.config.processing.batchSize;
    const keepGoing = async () => {
      await heartbeat().catch(() => {});
      return isRunning() && !isStale();
    };
    const messages =
      this.#offsetLimit?.admit(this.#consumer, batch.topic, batch.partition, batch.messages) ??
      batch.messages;
    let applied: string | undefined;
    for (let i = 0; i < messages.length; i += size) {
      // Paused by an operator (or a rebuild's switch): stop at this sub-batch boundary; the rest is
      // not resolved, so it is fetched again after the resume.
      if (!isRunning() || isStale() || this.#paused) break;
      const chunk = messages.slice(i, i + size);
      await this.#subBatches.process(batch.topic, batch.partition, chunk, keepGoing);
      const last = chunk.at(-1);
      if (last) {
        resolveOffset(last.offset);
        applied = last.offset;
      }
      await commitOffsetsIfNecessary();
      this.#lastProgress = Date.now();
      this.#stalled = false;
      await heartbeat();
    }
    // kafkajs commits resolved offsets only after this returns; a paused instance commits them
    // itself first, so that its acknowledgement means the offsets are final.
    if (this.#paused && applied !== undefined && isRunning() && !isStale())
      await commitOffsetsIfNecessary({
        topics: [
          {
            topic: batch.topic,
            partitions: [{ partition: batch.partition, offset: (BigInt(applied) + 1n).toString() }],
          },
        ],
      });
  }

  async #sendDeadLetters(letters: DeadLetter[]): Promise<void> {
    await this.#producer.send({
      topic: deadLetterTopicOf(this.definition as ProcessorDefinition<unknown>),
      acks: -1,
      messages: letters.map((l) => deadLetterMessage(this.definition.name, l)),
    });
    const last = letters.at(-1)?.error;
    if (last) {
      const message = `${errorCode(last)}: ${last instanceof Error ? last.message : String(last)}`;
      await this.#control?.recordError(message).catch(() => {});
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

  /** Lag and outbox gauges; a consumer with lag that has not progressed for the stall timeout is restarted. */
  async #monitor(): Promise<void> {
    try {
      const lags = await fetchGroupLag(this.#admin, this.groupId, this.topics);
      this.metrics.lag = new Map(lags.map((l) => [`${l.topic}/${l.partition}`, l]));
      if (this.#relay) this.metrics.outbox = await outboxBacklog(this.db as Kysely<unknown>);
    } catch (error) {
      this.logger.warn({ err: error }, 'could not read consumer lag or outbox backlog');
      return;
    }
    const lag = this.metrics.totalLag();
    // A paused instance, or a rebuild waiting at its offset limit, is not stalled.
    if (lag === 0 || this.#paused || this.#offsetLimit || this.#detached) this.#lastProgress = Date.now();
    const idleMs = Date.now() - this.#lastProgress;
    if (lag > 0 && idleMs > this.config.processing.stallTimeoutMs && !this.#stopping && !this.#stalled) {
      this.#stalled = true;
      if (this.#restartingItself) {
        this.logger.error(
          { lag, idleMs },
          'consumer stalled while kafkajs restarts it after a crash; waiting for it',
        );
        return;
      }
      await this.#restartConsumer(`lag ${lag} but no progress for ${idleMs} ms`);
    }
  }

  /** Replaces the consumer (the old one leaves the group first); on failure the next round tries again. */
  async #restartConsumer(reason: string): Promise<void> {
    if (this.#stopping) return;
    this.logger.error({ reason }, 'restarting the consumer');
    try {
      await this.#consumer?.disconnect();
      await this.#startConsumer();
      this.#lastProgress = Date.now();
    } catch (error) {
      this.logger.error({ err: error }, 'consumer restart failed; will try again');
      this.#stalled = false;
    }
  }

  async #withConsumerStopped<T>(work: () => Promise<T>): Promise<T> {
    this.#detached = true;
    try {
      await this.#consumer?.disconnect();
      this.#consumer = undefined;
      return await work();
    } finally {
      // Should joining again fail, the stall monitor retries it like any consumer restart.
      this.#detached = false;
      this.#lastProgress = Date.now();
      if (!this.#stopping) await this.#startConsumer();
    }
  }

  async #prune(): Promise<void> {
    try {
      const pruned = await pruneEventIds(
        this.db as Kysely<unknown>,
        this.config.processing.dedupeWindowHours,
      );
      if (pruned > 0) this.logger.info({ pruned }, 'pruned dedupe records older than the dedupe window');
    } catch (error) {
      this.logger.warn({ err: error }, 'dedupe pruning failed');
    }
  }

  async #startHttp(): Promise<void> {
    const port = this.config.http.port ?? this.definition.httpPort;
    if (port === undefined || !this.#serveHttp) return;
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
        status: async () => ({
          processor: this.definition.name,
          groupId: this.groupId,
          schema: this.schema,
          paused: this.#paused,
          replay: this.config.processing.replay,
          lag: [...this.metrics.lag.values()],
          outbox: this.metrics.outbox,
        }),
        requestPause: (paused, by) => this.requestPause(paused, by),
        withConsumerStopped: (work) => this.#withConsumerStopped(work),
      }),
      {
        asyncApiYaml: () =>
          generateAsyncApiYaml({
            events: this.#codec.events,
            title: `${this.definition.name}: the events it reads and writes`,
            exampleSource: `/fleet/${this.definition.name}`,
          }),
      },
    );
    await this.definition.http?.(this.http, { db: this.db });
    this.httpAddress = await this.http.listen({ host: this.config.http.host, port });
  }

  async readiness(): Promise<Record<string, { ok: boolean; detail?: string }>> {
    let database: { ok: boolean; detail?: string } = { ok: true };
    try {
      await sql`select 1`.execute(this.db);
    } catch (error) {
      database = { ok: false, detail: (error as Error).message };
    }
    return {
      consumerGroup: this.#joined
        ? { ok: true }
        : { ok: false, detail: 'not a member of the consumer group' },
      database,
      progress: this.#stalled
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
      for (const timer of this.#timers) clearInterval(timer);
      await this.#rebuilds.abort().catch(() => {});
      await this.#control?.deregister().catch(() => {});
      await this.#consumer
        ?.disconnect()
        .catch((e: unknown) => this.logger.warn({ err: e }, 'consumer disconnect'));
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

const authOf = (config: RuntimeConfig) => (config.registry.auth ? { auth: config.registry.auth } : {});
