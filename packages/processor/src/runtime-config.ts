import { readFileSync } from 'node:fs';
import { ConfigError } from '@fleet/service-kit';
import { z } from 'zod';

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const int = (min: number) => z.coerce.number().int().min(min);

/** Every variable the runtime reads, validated once at start-up. `.env.example` documents each. */
const envSchema = z.object({
  KAFKA_BROKERS: z
    .string()
    .min(1)
    .transform((s) =>
      s
        .split(',')
        .map((b) => b.trim())
        .filter(Boolean),
    ),
  KAFKA_CLIENT_ID: z.string().min(1).optional(),
  KAFKA_SSL: bool.default(false),
  KAFKA_SSL_CA_FILE: z.string().optional(),
  KAFKA_SSL_REJECT_UNAUTHORIZED: bool.default(true),
  KAFKA_SASL_MECHANISM: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
  KAFKA_SASL_USERNAME: z.string().optional(),
  KAFKA_SASL_PASSWORD: z.string().optional(),
  SCHEMA_REGISTRY_URL: z.url(),
  SCHEMA_REGISTRY_USERNAME: z.string().optional(),
  SCHEMA_REGISTRY_PASSWORD: z.string().optional(),
  DATABASE_URL: z.url(),
  DATABASE_SSL: z.enum(['disable', 'require', 'verify-full']).default('disable'),
  DATABASE_SSL_CA_FILE: z.string().optional(),
  DATABASE_POOL_MAX: int(1).default(10),
  HTTP_HOST: z.string().default('127.0.0.1'),
  HTTP_PORT: int(0).max(65535).optional(),
  FLEET_ADMIN_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PROCESSOR_BATCH_SIZE: int(1).max(10_000).default(500),
  // The fleet's topics have 6 partitions: one instance works on all of its partitions at once
  // (each needs a pool connection while its transaction runs: keep it below DATABASE_POOL_MAX).
  PROCESSOR_PARTITIONS_CONCURRENCY: int(1).max(64).default(6),
  PROCESSOR_HANDLER_MAX_ATTEMPTS: int(1).max(100).default(3),
  PROCESSOR_DEDUPE_WINDOW_HOURS: int(1).default(168),
  PROCESSOR_STALL_TIMEOUT_MS: int(1000).default(60_000),
  PROCESSOR_SESSION_TIMEOUT_MS: int(6000).default(30_000),
  PROCESSOR_SHUTDOWN_TIMEOUT_MS: int(1000).default(30_000),
  PROCESSOR_LAG_INTERVAL_MS: int(100).default(5_000),
  PROCESSOR_OUTBOX_POLL_MS: int(10).default(200),
  PROCESSOR_FETCH_MAX_WAIT_MS: int(10).max(30_000).default(1_000),
  PROCESSOR_FETCH_MAX_BYTES: int(1024).default(10 * 1024 * 1024),
  PROCESSOR_FETCH_MAX_BYTES_PER_PARTITION: int(1024).default(1024 * 1024),
  PROCESSOR_DB_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/, 'lower-case SQL identifier')
    .optional(),
  PROCESSOR_GROUP_ID: z.string().min(1).optional(),
  PROCESSOR_REPLAY: bool.default(false),
});

export type RuntimeEnv = z.infer<typeof envSchema>;

export interface RuntimeConfig {
  kafka: {
    brokers: string[];
    clientId: string | undefined;
    ssl: false | { ca?: string; rejectUnauthorized: boolean };
    sasl:
      | { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string }
      | undefined;
  };
  registry: { url: string; auth: { username: string; password: string } | undefined };
  database: { url: string; ssl: false | { ca?: string; rejectUnauthorized: boolean }; poolMax: number };
  http: { host: string; port: number | undefined };
  logLevel: RuntimeEnv['LOG_LEVEL'];
  /** Bearer token of the admin endpoints; they answer 403 when unset. */
  adminToken: string | undefined;
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
  // An empty variable (`HTTP_PORT=` copied from .env.example) means "not set", not "zero".
  const set = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const parsed = envSchema.safeParse(set);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`);
  if (set.KAFKA_SASL_MECHANISM && !(set.KAFKA_SASL_USERNAME && set.KAFKA_SASL_PASSWORD))
    problems.push('KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD: required when KAFKA_SASL_MECHANISM is set');
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  const readCa = (file: string | undefined) => (file ? readFileSync(file, 'utf8') : undefined);
  const withCa = (ca: string | undefined, rejectUnauthorized: boolean) =>
    ca === undefined ? { rejectUnauthorized } : { ca, rejectUnauthorized };
  return {
    kafka: {
      brokers: e.KAFKA_BROKERS,
      clientId: e.KAFKA_CLIENT_ID,
      ssl: e.KAFKA_SSL ? withCa(readCa(e.KAFKA_SSL_CA_FILE), e.KAFKA_SSL_REJECT_UNAUTHORIZED) : false,
      sasl:
        e.KAFKA_SASL_MECHANISM && e.KAFKA_SASL_USERNAME && e.KAFKA_SASL_PASSWORD
          ? {
              mechanism: e.KAFKA_SASL_MECHANISM,
              username: e.KAFKA_SASL_USERNAME,
              password: e.KAFKA_SASL_PASSWORD,
            }
          : undefined,
    },
    registry: {
      url: e.SCHEMA_REGISTRY_URL,
      auth:
        e.SCHEMA_REGISTRY_USERNAME && e.SCHEMA_REGISTRY_PASSWORD
          ? { username: e.SCHEMA_REGISTRY_USERNAME, password: e.SCHEMA_REGISTRY_PASSWORD }
          : undefined,
    },
    database: {
      url: e.DATABASE_URL,
      ssl:
        e.DATABASE_SSL === 'disable'
          ? false
          : withCa(readCa(e.DATABASE_SSL_CA_FILE), e.DATABASE_SSL === 'verify-full'),
      poolMax: e.DATABASE_POOL_MAX,
    },
    http: { host: e.HTTP_HOST, port: e.HTTP_PORT },
    logLevel: e.LOG_LEVEL,
    adminToken: e.FLEET_ADMIN_TOKEN,
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
        maxBytes: e.PROCESSOR_FETCH_MAX_BYTES,
        maxBytesPerPartition: e.PROCESSOR_FETCH_MAX_BYTES_PER_PARTITION,
      },
      dbSchema: e.PROCESSOR_DB_SCHEMA,
      groupId: e.PROCESSOR_GROUP_ID,
      replay: e.PROCESSOR_REPLAY,
    },
  };
}
