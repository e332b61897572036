import { randomBytes } from 'node:crypto';
import {
  ConfigError,
  type KafkaSettings,
  kafkaEnv,
  kafkaProblems,
  kafkaSettings,
  parseEnv,
  postgresUrl,
} from '@fleet/service-kit';
import { z } from 'zod';

export type Role = 'read' | 'write';

/** A token the console accepts. A named one says who holds it; a shared one asks the operator's name. */
export interface ConsoleToken {
  role: Role;
  token: string;
  /** The holder, from `name=token`; undefined for a bare token (shared by whoever knows it). */
  name: string | undefined;
}

export interface ConsoleConfig {
  host: string;
  port: number;
  databaseUrl: string;
  kafka: KafkaSettings;
  /** The processors' admin token (FLEET_ADMIN_TOKEN), held server-side only; without it no admin API answers. */
  adminToken: string | undefined;
  tokens: ConsoleToken[];
  /** The tokens were generated for this run because none was configured (printed once at start-up). */
  generatedTokens: boolean;
  pollMs: number;
  historyMinutes: number;
  /** An instance counts as alive when it heartbeated within this long (as `fleet status`). */
  aliveSeconds: number;
  /** How long instances may take to acknowledge a pause or resume before the console stops waiting. */
  ackTimeoutMs: number;
  adminTimeoutMs: number;
  sessionHours: number;
  secureCookie: boolean;
  logLevel: string;
}

const tokenList = z.string().min(1);

const schema = z.object({
  FLEET_CONSOLE_HOST: z.string().min(1).default('127.0.0.1'),
  FLEET_CONSOLE_PORT: z.coerce.number().int().min(0).max(65_535).default(8100),
  DATABASE_URL: postgresUrl.default('postgres://postgres@127.0.0.1:5432/postgres'),
  ...kafkaEnv,
  KAFKA_BROKERS: kafkaEnv.KAFKA_BROKERS.default(['127.0.0.1:9092']),
  FLEET_ADMIN_TOKEN: z.string().min(1).optional(),
  FLEET_CONSOLE_READ_TOKEN: tokenList.optional(),
  FLEET_CONSOLE_WRITE_TOKEN: tokenList.optional(),
  FLEET_CONSOLE_POLL_MS: z.coerce.number().int().min(200).max(60_000).default(2_000),
  FLEET_CONSOLE_HISTORY_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(15),
  FLEET_CONSOLE_ALIVE_SECONDS: z.coerce.number().int().min(2).max(3_600).default(15),
  FLEET_CONSOLE_ACK_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(15_000),
  FLEET_CONSOLE_ADMIN_TIMEOUT_MS: z.coerce.number().int().min(500).max(600_000).default(30_000),
  FLEET_CONSOLE_SESSION_HOURS: z.coerce
    .number()
    .min(0.01)
    .max(24 * 30)
    .default(12),
  FLEET_CONSOLE_SECURE_COOKIE: z.enum(['true', 'false', '1', '0']).default('false'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/** The shortest token accepted: anything shorter is guessable. */
export const MIN_TOKEN_LENGTH = 16;

/**
 * `FLEET_CONSOLE_*_TOKEN` holds a token shared by whoever knows it, or a comma-separated list of
 * `name=token` pairs, one per operator, so that the audit names them without asking.
 */
export function parseTokens(value: string | undefined, role: Role, variable: string): ConsoleToken[] {
  if (value === undefined) return [];
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const problems: string[] = [];
  const tokens = items.map((item): ConsoleToken => {
    const eq = item.indexOf('=');
    // `name=token`; a bare token may end in base64 padding (`…==`), which names nobody.
    const named = eq > 0 && /^[\w.@-]{1,64}$/.test(item.slice(0, eq)) && /^[^=]/.test(item.slice(eq + 1));
    const name = named ? item.slice(0, eq) : undefined;
    const token = named ? item.slice(eq + 1) : item;
    if (token.length < MIN_TOKEN_LENGTH)
      problems.push(
        `${variable}: ${name ? `the token of ${name}` : 'a token'} is shorter than ${MIN_TOKEN_LENGTH} characters`,
      );
    return { role, token, name };
  });
  if (items.length > 1 && tokens.some((t) => t.name === undefined))
    problems.push(`${variable}: with several tokens, give each as name=token`);
  if (problems.length) throw new ConfigError(problems, 'console settings');
  return tokens;
}

export function loadConsoleConfig(env: NodeJS.ProcessEnv = process.env): ConsoleConfig {
  const e = parseEnv(schema, env, { subject: 'console settings', checks: kafkaProblems });
  const tokens = [
    ...parseTokens(e.FLEET_CONSOLE_READ_TOKEN, 'read', 'FLEET_CONSOLE_READ_TOKEN'),
    ...parseTokens(e.FLEET_CONSOLE_WRITE_TOKEN, 'write', 'FLEET_CONSOLE_WRITE_TOKEN'),
  ];
  const seen = new Set<string>();
  for (const t of tokens) {
    if (seen.has(t.token))
      throw new ConfigError(
        ['FLEET_CONSOLE_READ_TOKEN / FLEET_CONSOLE_WRITE_TOKEN: the same token is given twice'],
        'console settings',
      );
    seen.add(t.token);
  }
  const generatedTokens = tokens.length === 0;
  if (generatedTokens)
    tokens.push(
      { role: 'read', token: randomBytes(18).toString('base64url'), name: undefined },
      { role: 'write', token: randomBytes(18).toString('base64url'), name: undefined },
    );
  return {
    host: e.FLEET_CONSOLE_HOST,
    port: e.FLEET_CONSOLE_PORT,
    databaseUrl: e.DATABASE_URL,
    kafka: kafkaSettings(e),
    adminToken: e.FLEET_ADMIN_TOKEN,
    tokens,
    generatedTokens,
    pollMs: e.FLEET_CONSOLE_POLL_MS,
    historyMinutes: e.FLEET_CONSOLE_HISTORY_MINUTES,
    aliveSeconds: e.FLEET_CONSOLE_ALIVE_SECONDS,
    ackTimeoutMs: e.FLEET_CONSOLE_ACK_TIMEOUT_MS,
    adminTimeoutMs: e.FLEET_CONSOLE_ADMIN_TIMEOUT_MS,
    sessionHours: e.FLEET_CONSOLE_SESSION_HOURS,
    secureCookie: e.FLEET_CONSOLE_SECURE_COOKIE === 'true' || e.FLEET_CONSOLE_SECURE_COOKIE === '1',
    logLevel: e.LOG_LEVEL,
  };
}
