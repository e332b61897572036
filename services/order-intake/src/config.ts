import {
  ConfigError,
  connectionEnv,
  connectionProblems,
  connectionSettings,
  envBool,
  type KafkaSettings,
  parseEnv,
  type RegistrySettings,
} from '@fleet/service-kit';
import { z } from 'zod';

export { ConfigError };

const units = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `250ms`, `30s`, `1m`, `24h`, `7d` or a bare number of milliseconds. */
export function parseDuration(text: string): number | undefined {
  const match = /^\s*(\d+)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * units[(match[2] ?? 'ms') as keyof typeof units];
}

const duration = (min: number) =>
  z.string().transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined || ms < min) {
      ctx.addIssue({
        code: 'custom',
        message: `"${text}" is not a duration of at least ${min} ms (e.g. 500ms, 30s, 1m, 24h, or milliseconds)`,
      });
      return z.NEVER;
    }
    return ms;
  });
const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);

/** Every variable order-intake reads, validated once at start-up (README lists them). */
const envSchema = z
  .object({
    ...connectionEnv,
    KAFKA_CLIENT_ID: z.string().min(1).default('order-intake'),
    HTTP_HOST: z.string().min(1).default('127.0.0.1'),
    HTTP_PORT: int(0, 65535).default(8101),
    REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    INTAKE_SOURCE: z
      .string()
      .regex(/^\/[A-Za-z0-9._~/-]*$/, 'a URI path such as /fleet/order-intake')
      .default('/fleet/order-intake'),
    INTAKE_BODY_LIMIT_BYTES: int(1024, 10 * 1024 * 1024).default(64 * 1024),
    INTAKE_RATE_LIMIT_MAX: int(1).default(100),
    INTAKE_RATE_LIMIT_WINDOW: duration(1000).default(60_000),
    INTAKE_API_KEY_HEADER: z
      .string()
      .regex(/^[a-z0-9-]+$/, 'a lower-case header name')
      .default('x-api-key'),
    INTAKE_TRUST_PROXY: envBool.default(false),
    INTAKE_IDEMPOTENCY_TTL: duration(1000).default(24 * 3_600_000),
    INTAKE_IDEMPOTENCY_IN_FLIGHT_TTL: duration(1000).default(60_000),
    INTAKE_IDEMPOTENCY_MAX_ENTRIES: int(1).default(10_000),
    INTAKE_REDIS_PREFIX: z.string().min(1).default('order-intake:'),
    INTAKE_SHUTDOWN_TIMEOUT: duration(100).default(10_000),
  })
  .superRefine((env, ctx) => {
    if (env.INTAKE_IDEMPOTENCY_IN_FLIGHT_TTL > env.INTAKE_IDEMPOTENCY_TTL)
      ctx.addIssue({
        code: 'custom',
        path: ['INTAKE_IDEMPOTENCY_IN_FLIGHT_TTL'],
        message: 'must not exceed INTAKE_IDEMPOTENCY_TTL',
      });
  });

export interface IntakeConfig {
  kafka: KafkaSettings;
  registry: RegistrySettings;
  http: { host: string; port: number; bodyLimit: number; trustProxy: boolean };
  redisUrl: string | undefined;
  logLevel: string;
  source: string;
  rateLimit: { max: number; windowMs: number; apiKeyHeader: string };
  idempotency: { ttlMs: number; inFlightTtlMs: number; maxEntries: number };
  redisPrefix: string;
  shutdownTimeoutMs: number;
}

/** Parses the environment once; throws ConfigError naming every missing or bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): IntakeConfig {
  const e = parseEnv(envSchema, env, {
    subject: 'order-intake configuration',
    checks: connectionProblems,
  });
  return {
    ...connectionSettings(e),
    http: {
      host: e.HTTP_HOST,
      port: e.HTTP_PORT,
      bodyLimit: e.INTAKE_BODY_LIMIT_BYTES,
      trustProxy: e.INTAKE_TRUST_PROXY,
    },
    redisUrl: e.REDIS_URL,
    logLevel: e.LOG_LEVEL,
    source: e.INTAKE_SOURCE,
    rateLimit: {
      max: e.INTAKE_RATE_LIMIT_MAX,
      windowMs: e.INTAKE_RATE_LIMIT_WINDOW,
      apiKeyHeader: e.INTAKE_API_KEY_HEADER,
    },
    idempotency: {
      ttlMs: e.INTAKE_IDEMPOTENCY_TTL,
      inFlightTtlMs: e.INTAKE_IDEMPOTENCY_IN_FLIGHT_TTL,
      maxEntries: e.INTAKE_IDEMPOTENCY_MAX_ENTRIES,
    },
    redisPrefix: e.INTAKE_REDIS_PREFIX,
    shutdownTimeoutMs: e.INTAKE_SHUTDOWN_TIMEOUT,
  };
}
