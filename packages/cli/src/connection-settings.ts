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
import { usageError } from './cli-error.ts';

/** The native launcher's addresses: what `./fleetw start` runs. */
export const defaultConnectionSettings = {
  brokers: '127.0.0.1:9092',
  databaseUrl: 'postgres://postgres@127.0.0.1:5432/postgres',
} as const;

export interface ConnectionSettings {
  kafka: KafkaSettings;
  databaseUrl: string;
}

export interface ConnectionOptions {
  brokers?: string | undefined;
  databaseUrl?: string | undefined;
}

// The services' own Kafka variables and rules (security protocol, TLS files, SASL, client ID): the CLI reaches
// the cluster the way the processors do. Only `fleet rebuild` needs the registry; it reads it
// through the runtime's own configuration.
const cliEnv = z.object({ ...kafkaEnv, DATABASE_URL: postgresUrl });

/**
 * Options first, then the environment (the runtime's variable names), then the launcher's defaults.
 * Every wrong setting is reported at once, as a usage error.
 */
export function resolveConnectionSettings(
  options: ConnectionOptions,
  env: Record<string, string | undefined>,
): ConnectionSettings {
  const set = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim());
  const merged = {
    ...env,
    KAFKA_BROKERS: set(options.brokers) ?? set(env.KAFKA_BROKERS) ?? defaultConnectionSettings.brokers,
    DATABASE_URL: set(options.databaseUrl) ?? set(env.DATABASE_URL) ?? defaultConnectionSettings.databaseUrl,
  };
  try {
    const e = parseEnv(cliEnv, merged, {
      subject: 'connection settings (--brokers overrides KAFKA_BROKERS, --database-url DATABASE_URL)',
      checks: kafkaProblems,
    });
    return { kafka: kafkaSettings(e), databaseUrl: e.DATABASE_URL };
  } catch (error) {
    // The files (CA, client certificate, password) are checked with the rest; one that vanished
    // between the check and the read is a setting to fix too, and its message names the variable.
    throw usageError('BAD_SETTING', error instanceof ConfigError ? error.message : (error as Error).message);
  }
}

/** A URL fit to print: the password hidden. */
export function redact(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
}
