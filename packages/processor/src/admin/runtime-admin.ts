import type { Admin, Kafka } from 'kafkajs';
import type { ProcessorDefinition } from '../define-processor.ts';
import { describeDeadLetter, listDeadLetters, readDeadLetter } from '../operations/dead-letters.ts';
import type { OperatedProcessor } from '../operations/operation-error.ts';
import { purgeDeadLetters } from '../operations/purge-dead-letters.ts';
import { redriveDeadLetters } from '../operations/redrive-dead-letters.ts';
import { replayOffsets } from '../operations/replay-offsets.ts';
import { finalizeRebuild, rebuildSideBySide, rollBackSideBySide } from '../rebuild/rebuild-processor.ts';
import type { StartReplica } from '../rebuild/replica.ts';
import type { RuntimeConfig } from '../runtime-config.ts';
import type { AdminOperations } from './admin-api.ts';
import type { RebuildJobs } from './rebuild-jobs.ts';

export interface RuntimeAdminParts<DB> {
  definition: ProcessorDefinition<DB>;
  config: RuntimeConfig;
  processor: OperatedProcessor;
  kafka: Kafka;
  admin: Admin;
  jobs: RebuildJobs;
  /** The runtime, for the consumer a rebuild drives (rebuild does not import the runtime). */
  startReplica: StartReplica;
  status(): Promise<unknown>;
  requestPause(paused: boolean, by: string): Promise<void>;
  /** Leaves the consumer group while `work` runs, then joins again. */
  withConsumerStopped<T>(work: () => Promise<T>): Promise<T>;
}

/** The admin API's operations for one running instance, on its own clients and processor. */
export function runtimeAdmin<DB>(parts: RuntimeAdminParts<DB>): AdminOperations {
  const { definition, config, processor, kafka, admin, jobs, startReplica } = parts;
  return {
    status: parts.status,
    pause: parts.requestPause,
    deadLetters: (filter, limit) => listDeadLetters(kafka, admin, processor, filter, limit),
    deadLetter: async (partition, offset) =>
      describeDeadLetter(await readDeadLetter(kafka, admin, processor, partition, offset)),
    redrive: (selection) => redriveDeadLetters(kafka, admin, processor, selection),
    purge: () => purgeDeadLetters(admin, processor),
    // This instance leaves the group first; other running instances still make the replay refuse.
    replay: (request) =>
      request.dryRun
        ? replayOffsets(kafka, admin, processor, request)
        : parts.withConsumerStopped(() => replayOffsets(kafka, admin, processor, request)),
    rebuild: (options) =>
      jobs.start('rebuild', (o) => rebuildSideBySide(definition, { ...o, config, startReplica }), options),
    rollback: () =>
      jobs.start('rollback', (o) => rollBackSideBySide(definition, { ...o, config, startReplica }), {}),
    rebuildJob: () => jobs.current,
    abortRebuild: () => jobs.abort(),
    finalizeRebuild: () => finalizeRebuild(definition, { config }),
  };
}
