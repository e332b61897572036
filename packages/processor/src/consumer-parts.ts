import type { EventCodec } from '@fleet/contracts';
import type { Meter } from '@opentelemetry/api';
import type { Admin, Kafka, Producer } from 'kafkajs';
import type { Kysely } from 'kysely';
import { batchApplier } from './apply-batch.ts';
import { ConsumerSupervisor } from './consumer-supervisor.ts';
import type { DeadLetter } from './dead-letter.ts';
import { DedupePruner } from './dedupe-pruner.ts';
import type { ProcessorDefinition } from './define-processor.ts';
import { type HoldBack, HoldBackGate } from './hold-back.ts';
import type { Logger } from './logger.ts';
import { OutboxRelay } from './outbox-relay.ts';
import type { ProcessorMetrics } from './processor-metrics.ts';
import { ProgressMonitor } from './progress-monitor.ts';
import { RecordDecoder } from './record-decoder.ts';
import type { RuntimeConfig } from './runtime-config.ts';
import type { RuntimeEvents } from './runtime-events.ts';
import { ScheduleRunner } from './schedule-runner.ts';
import { type AlreadyDeadLettered, SubBatchProcessor } from './sub-batch-processor.ts';
import { Ticker } from './ticker.ts';

export interface ConsumerPartsInput<DB> {
  definition: ProcessorDefinition<DB>;
  config: RuntimeConfig;
  logger: Logger;
  db: Kysely<DB>;
  kafka: Kafka;
  admin: Admin;
  producer: Producer;
  codec: EventCodec;
  meter: Meter;
  metrics: ProcessorMetrics;
  events: RuntimeEvents;
  schema: string;
  groupId: string;
  topics: string[];
  holdBack: HoldBack | undefined;
  alreadyDeadLettered: AlreadyDeadLettered | undefined;
  sendDeadLetters: (letters: DeadLetter[]) => Promise<void>;
}

export interface ConsumerParts<DB> {
  relay: OutboxRelay | undefined;
  schedules: ScheduleRunner<DB> | undefined;
  supervisor: ConsumerSupervisor;
  /** Lets records held back at a rebuild's limit through once the limit moved. */
  releaseHeld: Ticker | undefined;
  progress: ProgressMonitor;
  pruner: DedupePruner;
}

/**
 * What consumes and what runs beside it, wired to one another: the consumer supervisor and its batch
 * applier (sub-batches → offsets), the outbox relay (none when replaying), schedules (live version
 * only), the progress monitor, the dedupe pruner, and a rebuild replica's hold-back gate.
 */
export function consumerParts<DB>(input: ConsumerPartsInput<DB>): ConsumerParts<DB> {
  const { definition, logger, db, codec, metrics, events, holdBack } = input;
  const p = input.config.processing;
  let relay: OutboxRelay | undefined;
  const outboxWritten = () => relay?.wake();
  relay = p.replay
    ? undefined
    : new OutboxRelay({
        db: db as Kysely<unknown>,
        producer: input.producer,
        lockName: `fleet-outbox:${input.schema}`,
        pollMs: p.outboxPollMs,
        logger,
        metrics,
      });
  // A rebuild replays history; what the clock decides belongs to the live version only.
  const schedules =
    p.replay || !definition.schedules?.length
      ? undefined
      : new ScheduleRunner({
          processor: definition.name,
          schema: input.schema,
          db,
          codec,
          logger,
          meter: input.meter,
          schedules: definition.schedules,
          outboxWritten,
        });
  const subBatches = new SubBatchProcessor({
    processor: definition.name,
    db,
    decoder: new RecordDecoder(codec, definition.routes),
    lockAhead: definition.lockAhead,
    codec,
    logger,
    metrics,
    meter: input.meter,
    handlerMaxAttempts: p.handlerMaxAttempts,
    isReplay: p.replay,
    sendDeadLetters: input.sendDeadLetters,
    alreadyDeadLettered: input.alreadyDeadLettered,
    events,
    outboxWritten,
  });
  const gate = holdBack ? new HoldBackGate(holdBack) : undefined;
  const supervisor: ConsumerSupervisor = new ConsumerSupervisor({
    kafka: input.kafka,
    groupId: input.groupId,
    topics: input.topics,
    processing: p,
    logger,
    events,
    applyBatch: batchApplier({
      subBatches,
      batchSize: p.batchSize,
      holdBack: gate,
      events,
      paused: () => supervisor.pause !== 'off',
    }),
  });
  const releaseHeld = gate
    ? new Ticker(500, async () => {
        if (supervisor.pause === 'off') gate.release(supervisor.consumer);
      })
    : undefined;
  const progress = new ProgressMonitor({
    admin: input.admin,
    db: db as Kysely<unknown>,
    groupId: input.groupId,
    topics: input.topics,
    metrics,
    supervisor,
    events,
    logger,
    everyMs: p.lagIntervalMs,
    stallTimeoutMs: p.stallTimeoutMs,
    measureOutbox: !p.replay,
    holdsBack: holdBack !== undefined,
  });
  const pruner = new DedupePruner(db as Kysely<unknown>, p.dedupeWindowHours, logger);
  return { relay, schedules, supervisor, releaseHeld, progress, pruner };
}
