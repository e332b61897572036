import { type EventType, generateAsyncApiYaml } from '@fleet/contracts';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { AdminAccess } from './admin/admin-access.ts';
import { type RuntimeAdminParts, runtimeAdmin } from './admin/runtime-admin.ts';
import { AuditLog } from './audit-log.ts';
import { createQueryDatabase } from './database.ts';
import { deadLetterTopicOf, type ProcessorDefinition } from './define-processor.ts';
import { createInternalServer, createPublicServer, type Readiness } from './http-server.ts';
import type { Logger } from './logger.ts';
import type { ProcessorMetrics } from './processor-metrics.ts';
import type { RuntimeConfig } from './runtime-config.ts';
import type { Telemetry } from './telemetry.ts';

export interface ListenerParts<DB> {
  definition: ProcessorDefinition<DB>;
  config: RuntimeConfig;
  logger: Logger;
  telemetry: Telemetry;
  metrics: ProcessorMetrics;
  /** The consumer's pool: where the admin API's audit is written. */
  db: Kysely<unknown>;
  schema: string;
  groupId: string;
  topics: string[];
  instanceId: string;
  /** The event types it reads and writes, for its AsyncAPI document. */
  events: readonly EventType[];
  readiness: Readiness;
  /** What the admin API's operations run on, and whether the instance is paused (for its status). */
  admin: Omit<RuntimeAdminParts<DB>, 'definition' | 'config' | 'processor' | 'status'> & {
    paused(): boolean;
  };
}

/**
 * An instance's two HTTP listeners: the internal one (health, readiness, metrics, the admin API) and
 * the public one (the service's own routes, reading through a pool of their own, so that a burst of
 * reads waits for its own connections and never takes the consumer's). No listener at all for a
 * rebuild's replica (`http.port` null); no public one for a processor that serves no routes.
 */
export class RuntimeListeners<DB> {
  internal: FastifyInstance | undefined;
  public: FastifyInstance | undefined;
  internalAddress: string | undefined;
  publicAddress: string | undefined;
  #queryDb: Kysely<DB> | undefined;

  async start(parts: ListenerParts<DB>): Promise<void> {
    const { config, definition, logger } = parts;
    const { port, host, internal } = config.http;
    if (port === null) return;
    if (internal.port !== undefined) {
      this.internal = createInternalServer(
        {
          readiness: parts.readiness,
          telemetry: parts.telemetry,
          admin: runtimeAdmin({
            ...parts.admin,
            definition,
            config,
            status: async () => ({
              processor: definition.name,
              groupId: parts.groupId,
              schema: parts.schema,
              paused: parts.admin.paused(),
              replay: config.processing.replay,
              lag: [...parts.metrics.lag.values()],
              outbox: parts.metrics.outbox,
            }),
            processor: {
              name: definition.name,
              groupId: parts.groupId,
              topics: parts.topics,
              dlqTopic: deadLetterTopicOf(definition as ProcessorDefinition<unknown>),
            },
          }),
          guard: {
            access: new AdminAccess(config.adminTokens),
            audit: new AuditLog(parts.db),
            processor: parts.groupId,
            instanceId: parts.instanceId,
            onAuthFailure: (reason) => parts.metrics.adminAuthFailed(reason),
          },
          documents: {
            asyncApiYaml: () =>
              generateAsyncApiYaml({
                events: [...parts.events],
                title: `${definition.name}: the events it reads and writes`,
                exampleSource: `/fleet/${definition.name}`,
              }),
          },
        },
        logger,
      );
      this.internalAddress = await this.internal.listen({ host: internal.host, port: internal.port });
    }
    if (port !== undefined && definition.http) {
      this.public = createPublicServer(logger);
      this.#queryDb = createQueryDatabase<DB>(config.database, parts.schema, definition.name);
      await definition.http(this.public, { db: this.#queryDb });
      this.publicAddress = await this.public.listen({ host, port });
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.public?.close(), this.internal?.close()]);
    await this.#queryDb?.destroy().catch(() => {});
  }
}
