import type { Admin, Kafka } from 'kafkajs';
import type { Kysely } from 'kysely';
import { ensureControlTables } from '../control-tables.ts';
import { createDatabase } from '../database.ts';
import { deadLetterTopicOf, type ProcessorDefinition } from '../define-processor.ts';
import { createKafka } from '../kafka-client.ts';
import { createLogger, type Logger } from '../logger.ts';
import type { RuntimeConfig } from '../runtime-config.ts';
import { RebuildError } from './rebuild-error.ts';
import { tryRebuildLock } from './rebuild-lock.ts';
import { versionSchemas } from './schema-swap.ts';

/** What a rebuild, rollback or finalize works with, open for as long as it holds the rebuild lock. */
export interface RebuildContext {
  config: RuntimeConfig;
  /** Searches `public`: the control tables are `fleet.*`, the versions' tables are schema-qualified. */
  db: Kysely<unknown>;
  kafka: Kafka;
  admin: Admin;
  logger: Logger;
  processor: string;
  topics: string[];
  dlqTopic: string;
  liveGroup: string;
  schemas: ReturnType<typeof versionSchemas>;
}

/**
 * Runs `work` holding the processor's rebuild lock (REBUILD_IN_PROGRESS when another holds it), with
 * its connections to Postgres and Kafka open and the control tables in place; closes them after.
 */
export async function withRebuildContext<DB, T>(
  definition: ProcessorDefinition<DB>,
  options: { config: RuntimeConfig; logger?: Logger | undefined },
  work: (ctx: RebuildContext) => Promise<T>,
): Promise<T> {
  const { config } = options;
  const live = config.processing.dbSchema ?? definition.name;
  const lock = await tryRebuildLock(config.database, live);
  if (!lock)
    throw new RebuildError(
      'REBUILD_IN_PROGRESS',
      `a rebuild of ${definition.name} is already running; wait for it or stop it`,
    );
  const logger =
    options.logger ?? createLogger({ service: 'fleet-rebuild', processor: definition.name }, config.logLevel);
  const db = createDatabase<unknown>(config.database, 'public', `${definition.name}-rebuild`);
  const kafka = createKafka(config.kafka, `${definition.name}-rebuild`, logger);
  const admin = kafka.admin();
  try {
    await ensureControlTables(db);
    await admin.connect();
    return await work({
      config,
      db,
      kafka,
      admin,
      logger,
      processor: definition.name,
      topics: [...new Set(definition.routes.map((r) => r.event.topic.name))],
      dlqTopic: deadLetterTopicOf(definition as ProcessorDefinition<unknown>),
      liveGroup: config.processing.groupId ?? definition.name,
      schemas: versionSchemas(live),
    });
  } finally {
    await admin.disconnect().catch(() => {});
    await db.destroy().catch(() => {});
    await lock.release();
  }
}
