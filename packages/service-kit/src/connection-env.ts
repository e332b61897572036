import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** `true`/`false`/`1`/`0`, as environment variables spell booleans. */
export const envBool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const brokerList = z
  .string()
  .min(1)
  .transform((s) =>
    s
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean),
  )
  .pipe(
    z
      .array(
        z.string().regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'each broker must be host:port'),
      )
      .min(1),
  );

/** `DATABASE_URL`'s rule wherever it is read: a PostgreSQL URL with a host. */
export const postgresUrl = z.url({
  protocol: /^postgres(ql)?$/,
  hostname: /.+/,
  error: 'must be a PostgreSQL URL, e.g. postgres://user@127.0.0.1:5432/database',
});

/** The Kafka variables every service (and the `fleet` CLI) reads, with the same names and rules. */
export const kafkaEnv = {
  KAFKA_BROKERS: brokerList,
  KAFKA_CLIENT_ID: z.string().min(1).optional(),
  KAFKA_SSL: envBool.default(false),
  KAFKA_SSL_CA_FILE: z.string().optional(),
  KAFKA_SSL_REJECT_UNAUTHORIZED: envBool.default(true),
  KAFKA_SASL_MECHANISM: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
  KAFKA_SASL_USERNAME: z.string().optional(),
  KAFKA_SASL_PASSWORD: z.string().optional(),
};

/** The Kafka and Schema Registry variables every service reads, with the same names and rules. */
export const connectionEnv = {
  ...kafkaEnv,
  SCHEMA_REGISTRY_URL: z.url(),
  SCHEMA_REGISTRY_USERNAME: z.string().optional(),
  SCHEMA_REGISTRY_PASSWORD: z.string().optional(),
};

type KafkaEnv = z.output<z.ZodObject<typeof kafkaEnv>>;
type ConnectionEnv = z.output<z.ZodObject<typeof connectionEnv>>;

/**
 * The rules that span variables, checked on the raw environment so that they are reported with the
 * others even when some variable is malformed (a schema's refinements run only on a valid object).
 */
export function connectionProblems(env: Record<string, string | undefined>): string[] {
  const problems = kafkaProblems(env);
  if (Boolean(env.SCHEMA_REGISTRY_USERNAME) !== Boolean(env.SCHEMA_REGISTRY_PASSWORD))
    problems.push(
      'SCHEMA_REGISTRY_USERNAME: set both SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD, or neither',
    );
  return problems;
}

/** `connectionProblems` for the Kafka variables alone. */
export function kafkaProblems(env: Record<string, string | undefined>): string[] {
  return env.KAFKA_SASL_MECHANISM && !(env.KAFKA_SASL_USERNAME && env.KAFKA_SASL_PASSWORD)
    ? [
        'KAFKA_SASL_USERNAME: KAFKA_SASL_MECHANISM is set: KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required',
      ]
    : [];
}

export interface KafkaSettings {
  brokers: string[];
  clientId: string | undefined;
  ssl: false | { ca?: string; rejectUnauthorized: boolean };
  sasl:
    | { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string }
    | undefined;
}

export interface RegistrySettings {
  url: string;
  auth: { username: string; password: string } | undefined;
}

/** TLS options with the CA read from a file (read at start-up: a missing file stops it). */
export function tlsOptions(caFile: string | undefined, rejectUnauthorized: boolean) {
  return caFile === undefined
    ? { rejectUnauthorized }
    : { ca: readFileSync(caFile, 'utf8'), rejectUnauthorized };
}

export function kafkaSettings(e: KafkaEnv): KafkaSettings {
  return {
    brokers: e.KAFKA_BROKERS,
    clientId: e.KAFKA_CLIENT_ID,
    ssl: e.KAFKA_SSL ? tlsOptions(e.KAFKA_SSL_CA_FILE, e.KAFKA_SSL_REJECT_UNAUTHORIZED) : false,
    sasl:
      e.KAFKA_SASL_MECHANISM && e.KAFKA_SASL_USERNAME && e.KAFKA_SASL_PASSWORD
        ? {
            mechanism: e.KAFKA_SASL_MECHANISM,
            username: e.KAFKA_SASL_USERNAME,
            password: e.KAFKA_SASL_PASSWORD,
          }
        : undefined,
  };
}

export function connectionSettings(e: ConnectionEnv): { kafka: KafkaSettings; registry: RegistrySettings } {
  return {
    kafka: kafkaSettings(e),
    registry: {
      url: e.SCHEMA_REGISTRY_URL,
      auth:
        e.SCHEMA_REGISTRY_USERNAME && e.SCHEMA_REGISTRY_PASSWORD
          ? { username: e.SCHEMA_REGISTRY_USERNAME, password: e.SCHEMA_REGISTRY_PASSWORD }
          : undefined,
    },
  };
}
