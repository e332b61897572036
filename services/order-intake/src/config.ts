import { readFileSync } from 'node:fs';
import {
  ConfigError,
  connectionEnv,
  connectionProblems,
  connectionSettings,
  type KafkaSettings,
  parseEnv,
  type RegistrySettings,
} from '@fleet/service-kit';
import { z } from 'zod';
import { type ApiKeyEntry, apiKeyEntryProblems, parseApiKeyEntries } from './auth/api-key-entries.ts';
import { parseDuration } from './duration.ts';
import type { Limit } from './rate-limit/rate-limits.ts';
import { parseTrustedProxies } from './trusted-proxies.ts';

export { ConfigError, parseDuration };

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
// Rate-limit windows: the shared counters in Redis expire by the second.
const window = duration(1000).refine((ms) => ms % 1000 === 0, 'must be whole seconds (1s, 30s, 1m...)');
const trustedProxies = z.string().transform((text, ctx) => {
  const parsed = parseTrustedProxies(text);
  if ('proxies' in parsed) return parsed.proxies;
  ctx.addIssue({ code: 'custom', message: parsed.problem });
  return z.NEVER;
});

/** Key entries from a variable's text (or the file it names); each problem names where it is. */
const apiKeyEntries = (text: (value: string) => string, source?: string) =>
  z.string().transform((value, ctx) => {
    let content: string;
    try {
      content = text(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `cannot read ${value}: ${(error as Error).message}` });
      return z.NEVER;
    }
    const { entries, problems } = parseApiKeyEntries(content, source ?? value);
    for (const message of problems) ctx.addIssue({ code: 'custom', message });
    return entries;
  });

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
    INTAKE_API_KEYS: apiKeyEntries((text) => text, 'INTAKE_API_KEYS').optional(),
    INTAKE_API_KEYS_FILE: apiKeyEntries((path) => readFileSync(path, 'utf8')).optional(),
    INTAKE_RATE_LIMIT_MAX: int(1).default(100),
    INTAKE_RATE_LIMIT_WINDOW: window.default(60_000),
    INTAKE_IP_RATE_LIMIT_MAX: int(1).default(50),
    INTAKE_IP_RATE_LIMIT_WINDOW: window.default(1000),
    INTAKE_API_KEY_HEADER: z
      .string()
      .regex(/^[a-z0-9-]+$/, 'a lower-case header name')
      .default('x-api-key'),
    INTAKE_TRUST_PROXY: trustedProxies.default([]),
    INTAKE_ORDER_OWNER_TTL: duration(60_000).default(30 * 86_400_000),
    INTAKE_ORDER_OWNER_MAX_ENTRIES: int(1).default(100_000),
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
    const keys = [...(env.INTAKE_API_KEYS_FILE ?? []), ...(env.INTAKE_API_KEYS ?? [])];
    for (const message of apiKeyEntryProblems(keys))
      ctx.addIssue({ code: 'custom', path: ['INTAKE_API_KEYS'], message });
    if (keys.length === 0)
      ctx.addIssue({
        code: 'custom',
        path: ['INTAKE_API_KEYS'],
        message:
          'no API key is configured, so no client could call the intake: set INTAKE_API_KEYS_FILE or INTAKE_API_KEYS (mint a key with pnpm --filter @fleet/order-intake mint-api-key <client-id>)',
      });
  });

export interface IntakeConfig {
  kafka: KafkaSettings;
  registry: RegistrySettings;
  /** trustProxy: addresses and CIDRs of the proxies believed (empty: none). */
  http: { host: string; port: number; bodyLimit: number; trustProxy: string[] };
  redisUrl: string | undefined;
  logLevel: string;
  source: string;
  apiKeys: { header: string; entries: ApiKeyEntry[] };
  /** client: the default budget of a client (its key entry may set its own); ip: per address. */
  rateLimit: { client: Limit; ip: Limit };
  idempotency: { ttlMs: number; inFlightTtlMs: number; maxEntries: number };
  orderOwners: { ttlMs: number; maxEntries: number };
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
    apiKeys: {
      header: e.INTAKE_API_KEY_HEADER,
      entries: [...(e.INTAKE_API_KEYS_FILE ?? []), ...(e.INTAKE_API_KEYS ?? [])],
    },
    rateLimit: {
      client: { max: e.INTAKE_RATE_LIMIT_MAX, windowMs: e.INTAKE_RATE_LIMIT_WINDOW },
      ip: { max: e.INTAKE_IP_RATE_LIMIT_MAX, windowMs: e.INTAKE_IP_RATE_LIMIT_WINDOW },
    },
    idempotency: {
      ttlMs: e.INTAKE_IDEMPOTENCY_TTL,
      inFlightTtlMs: e.INTAKE_IDEMPOTENCY_IN_FLIGHT_TTL,
      maxEntries: e.INTAKE_IDEMPOTENCY_MAX_ENTRIES,
    },
    orderOwners: { ttlMs: e.INTAKE_ORDER_OWNER_TTL, maxEntries: e.INTAKE_ORDER_OWNER_MAX_ENTRIES },
    redisPrefix: e.INTAKE_REDIS_PREFIX,
    shutdownTimeoutMs: e.INTAKE_SHUTDOWN_TIMEOUT,
  };
}
