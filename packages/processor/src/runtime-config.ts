import {
  connectionEnv,
  connectionProblems,
  connectionSettings,
  envBool,
  type KafkaSettings,
  parseEnv,
  postgresUrl,
  type RegistrySettings,
  tlsOptions,
} from '@fleet/service-kit';
import { z } from 'zod';
import { type AdminToken, adminTokenProblems, adminTokens } from './admin-tokens.ts';
import { MAX_SCHEMA_NAME_LENGTH } from './define-processor.ts';
import { INTERNAL_PORT_OFFSET, internalPortFor } from './deployment-settings.ts';
import { memoryBudget, minimumBudgetMb } from './memory-budget.ts';

const int = (min: number) => z.coerce.number().int().min(min);

/** Every variable the runtime reads, validated once at start-up. `.env.example` documents each. */
const envSchema = z.object({
  ...connectionEnv,
  DATABASE_URL: postgresUrl,
  DATABASE_SSL: z.enum(['disable', 'require', 'verify-full']).default('disable'),
  DATABASE_SSL_CA_FILE: z.string().optional(),
  DATABASE_POOL_MAX: int(1).default(10),
  DATABASE_STATEMENT_TIMEOUT_MS: int(0).default(60_000),
  DATABASE_QUERY_POOL_MAX: int(1).default(5),
  DATABASE_QUERY_STATEMENT_TIMEOUT_MS: int(0).default(30_000),
  HTTP_HOST: z.string().default('127.0.0.1'),
  HTTP_PORT: int(0).max(65535).optional(),
  INTERNAL_HTTP_HOST: z.string().default('127.0.0.1'),
  INTERNAL_HTTP_PORT: int(0).max(65535).optional(),
  // The admin API's tokens, also as <NAME>_FILE: checked and read by admin-tokens.ts.
  FLEET_ADMIN_READ_TOKEN: z.string().optional(),
  FLEET_ADMIN_WRITE_TOKEN: z.string().optional(),
  FLEET_ADMIN_TOKEN: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PROCESSOR_BATCH_SIZE: int(1).max(10_000).default(500),
  PROCESSOR_PARTITIONS_CONCURRENCY: int(1).max(64).default(3),
  PROCESSOR_HANDLER_MAX_ATTEMPTS: int(1).max(100).default(3),
  PROCESSOR_DEDUPE_WINDOW_HOURS: int(1).default(168),
  PROCESSOR_STALL_TIMEOUT_MS: int(1000).default(60_000),
  PROCESSOR_SESSION_TIMEOUT_MS: int(6000).default(30_000),
  PROCESSOR_SHUTDOWN_TIMEOUT_MS: int(1000).default(30_000),
  PROCESSOR_LAG_INTERVAL_MS: int(100).default(5_000),
  PROCESSOR_OUTBOX_POLL_MS: int(10).default(200),
  PROCESSOR_FETCH_MAX_WAIT_MS: int(10).max(30_000).default(1_000),
  // Unset: derived from PROCESSOR_MEMORY_BUDGET_MB when that is set, else kafkajs' 10 MB / 1 MB.
  PROCESSOR_FETCH_MAX_BYTES: int(1024).optional(),
  PROCESSOR_FETCH_MAX_BYTES_PER_PARTITION: int(1024).optional(),
  PROCESSOR_MEMORY_BUDGET_MB: int(minimumBudgetMb()).optional(),
  PROCESSOR_DB_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/, 'lower-case SQL identifier')
    .max(
      MAX_SCHEMA_NAME_LENGTH,
      `at most ${MAX_SCHEMA_NAME_LENGTH} characters (a rebuild adds up to 13 within PostgreSQL's 63)`,
    )
    .optional(),
  PROCESSOR_GROUP_ID: z.string().min(1).optional(),
  PROCESSOR_REPLAY: envBool.default(false),
});

export type RuntimeEnv = z.infer<typeof envSchema>;

export interface RuntimeConfig {
  kafka: KafkaSettings;
  registry: RegistrySettings;
  database: {
    url: string;
    ssl: false | { ca?: string; rejectUnauthorized: boolean };
    poolMax: number;
    /** A statement running longer fails (57014), so no query a record causes can hold its partition forever; 0: none. */
    statementTimeoutMs: number;
    /** The pool of the service's own routes (query APIs), apart from the consumer's: reads cannot starve it. */
    query: { poolMax: number; statementTimeoutMs: number };
  };
  /**
   * The public listener (`host`, `port`: the service's own routes) and the internal one (`internal`:
   * health, readiness, metrics, the admin API). `port` null: no listener at all (a rebuild's replica);
   * undefined: none given (runProcessor takes the service's default from its package.json).
   */
  http: {
    host: string;
    port: number | null | undefined;
    internal: { host: string; port: number | undefined };
  };
  logLevel: RuntimeEnv['LOG_LEVEL'];
  /** The admin API's read and write tokens; it answers 403 ADMIN_DISABLED when there are none. */
  adminTokens: AdminToken[];
  processing: {
    batchSize: number;
    partitionsConcurrency: number;
    handlerMaxAttempts: number;
    dedupeWindowHours: number;
    stallTimeoutMs: number;
    sessionTimeoutMs: number;
    shutdownTimeoutMs: number;
    lagIntervalMs: number;
    outboxPollMs: number;
    /** kafkajs fetch settings: how long the broker may hold an empty fetch, and how much one may return. */
    fetch: { maxWaitMs: number; maxBytes: number; maxBytesPerPartition: number };
    dbSchema: string | undefined;
    groupId: string | undefined;
    replay: boolean;
  };
}

/** Parses the environment once; throws ConfigError naming every missing or bad variable. */
export function loadRuntimeConfig(env: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  const e = parseEnv(envSchema, env, {
    checks: (present) => [
      ...connectionProblems(present),
      ...adminTokenProblems(present),
      ...internalPortProblems(present),
    ],
  });
  // One memory setting: the fetch sizes follow from it (the heap flags must be in NODE_OPTIONS).
  const budget = e.PROCESSOR_MEMORY_BUDGET_MB ? memoryBudget(e.PROCESSOR_MEMORY_BUDGET_MB) : undefined;
  return {
    ...connectionSettings(e),
    database: {
      url: e.DATABASE_URL,
      ssl:
        e.DATABASE_SSL === 'disable'
          ? false
          : tlsOptions(e.DATABASE_SSL_CA_FILE, e.DATABASE_SSL === 'verify-full'),
      poolMax: e.DATABASE_POOL_MAX,
      statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS,
      query: {
        poolMax: e.DATABASE_QUERY_POOL_MAX,
        statementTimeoutMs: e.DATABASE_QUERY_STATEMENT_TIMEOUT_MS,
      },
    },
    http: {
      host: e.HTTP_HOST,
      port: e.HTTP_PORT,
      internal: {
        host: e.INTERNAL_HTTP_HOST,
        port: e.INTERNAL_HTTP_PORT ?? (e.HTTP_PORT === undefined ? undefined : internalPortFor(e.HTTP_PORT)),
      },
    },
    logLevel: e.LOG_LEVEL,
    adminTokens: adminTokens(env),
    processing: {
      batchSize: e.PROCESSOR_BATCH_SIZE,
      partitionsConcurrency: e.PROCESSOR_PARTITIONS_CONCURRENCY,
      handlerMaxAttempts: e.PROCESSOR_HANDLER_MAX_ATTEMPTS,
      dedupeWindowHours: e.PROCESSOR_DEDUPE_WINDOW_HOURS,
      stallTimeoutMs: e.PROCESSOR_STALL_TIMEOUT_MS,
      sessionTimeoutMs: e.PROCESSOR_SESSION_TIMEOUT_MS,
      shutdownTimeoutMs: e.PROCESSOR_SHUTDOWN_TIMEOUT_MS,
      lagIntervalMs: e.PROCESSOR_LAG_INTERVAL_MS,
      outboxPollMs: e.PROCESSOR_OUTBOX_POLL_MS,
      fetch: {
        maxWaitMs: e.PROCESSOR_FETCH_MAX_WAIT_MS,
        maxBytes: e.PROCESSOR_FETCH_MAX_BYTES ?? budget?.fetchMaxBytes ?? 10 * 1024 * 1024,
        maxBytesPerPartition:
          e.PROCESSOR_FETCH_MAX_BYTES_PER_PARTITION ?? budget?.fetchMaxBytesPerPartition ?? 1024 * 1024,
      },
      dbSchema: e.PROCESSOR_DB_SCHEMA,
      groupId: e.PROCESSOR_GROUP_ID,
      replay: e.PROCESSOR_REPLAY,
    },
  };
}

/** The internal listener needs a port of its own: not the public one, and a port when derived from it. */
function internalPortProblems(env: Record<string, string | undefined>): string[] {
  const port = Number(env.HTTP_PORT);
  if (!Number.isInteger(port)) return [];
  if (env.INTERNAL_HTTP_PORT)
    return port !== 0 && Number(env.INTERNAL_HTTP_PORT) === port
      ? ['INTERNAL_HTTP_PORT: the internal listener needs a port of its own, not HTTP_PORT']
      : [];
  return internalPortFor(port) <= 65_535
    ? []
    : [`INTERNAL_HTTP_PORT: HTTP_PORT ${port} + ${INTERNAL_PORT_OFFSET} is no port; set INTERNAL_HTTP_PORT`];
}
