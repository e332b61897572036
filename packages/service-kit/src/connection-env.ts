import { readFileSync } from 'node:fs';
import { z } from 'zod';
import {
  type KafkaSasl,
  type KafkaSecurityProtocol,
  type KafkaTls,
  kafkaSecurity,
  kafkaSecurityEnv,
  kafkaSecurityProblems,
} from './kafka-security.ts';
import { parseEnv } from './parse-env.ts';
import { type RegistrySettings, registryEnv, registryProblems, registrySettings } from './registry-env.ts';

export { envBool } from './env-bool.ts';

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

/** The Kafka variables every service, the `fleet` CLI and the scripts read, with the same names and rules. */
export const kafkaEnv = {
  KAFKA_BROKERS: brokerList,
  KAFKA_CLIENT_ID: z.string().min(1).optional(),
  ...kafkaSecurityEnv,
};

/** The Kafka and Schema Registry variables every service reads, with the same names and rules. */
export const connectionEnv = { ...kafkaEnv, ...registryEnv };

type KafkaEnv = z.output<z.ZodObject<typeof kafkaEnv>>;
type ConnectionEnv = z.output<z.ZodObject<typeof connectionEnv>>;

/**
 * The rules that span variables, checked on the raw environment so that they are reported with the
 * others even when some variable is malformed (a schema's refinements run only on a valid object).
 */
export function connectionProblems(env: Record<string, string | undefined>): string[] {
  return [...kafkaProblems(env), ...registryProblems(env)];
}

/** `connectionProblems` for the Kafka variables alone. */
export function kafkaProblems(env: Record<string, string | undefined>): string[] {
  return kafkaSecurityProblems(env);
}

export interface KafkaSettings {
  brokers: string[];
  clientId: string | undefined;
  protocol: KafkaSecurityProtocol;
  ssl: false | KafkaTls;
  sasl: KafkaSasl | undefined;
}

/** TLS options with the CA read from a file (read at start-up: a missing file stops it). */
export function tlsOptions(caFile: string | undefined, rejectUnauthorized: boolean) {
  return caFile === undefined
    ? { rejectUnauthorized }
    : { ca: readFileSync(caFile, 'utf8'), rejectUnauthorized };
}

export function kafkaSettings(e: KafkaEnv): KafkaSettings {
  return { brokers: e.KAFKA_BROKERS, clientId: e.KAFKA_CLIENT_ID, ...kafkaSecurity(e) };
}

/**
 * The settings as kafkajs' `new Kafka({...})` takes them; the caller adds its own logging and retries.
 * `clientId` when KAFKA_CLIENT_ID is unset: the service's or tool's name.
 */
export function kafkaClientOptions(settings: KafkaSettings, clientId: string) {
  return {
    clientId: settings.clientId ?? clientId,
    brokers: settings.brokers,
    ssl: settings.ssl,
    ...(settings.sasl ? { sasl: settings.sasl } : {}),
  };
}

export function connectionSettings(e: ConnectionEnv): { kafka: KafkaSettings; registry: RegistrySettings } {
  return { kafka: kafkaSettings(e), registry: registrySettings(e) };
}

const kafkaSchema = z.object(kafkaEnv);
const connectionSchema = z.object(connectionEnv);
type Env = Record<string, string | undefined>;

/** Kafka's settings alone, for a tool that needs no registry; a ConfigError lists every problem. */
export function loadKafkaSettings(env: Env, subject = 'Kafka settings'): KafkaSettings {
  return kafkaSettings(parseEnv(kafkaSchema, env, { subject, checks: kafkaProblems }));
}

/** Kafka's and the registry's settings, for a client that is not a service (the producer SDK). */
export function loadConnectionSettings(
  env: Env,
  subject = 'connection settings',
): { kafka: KafkaSettings; registry: RegistrySettings } {
  return connectionSettings(parseEnv(connectionSchema, env, { subject, checks: connectionProblems }));
}
