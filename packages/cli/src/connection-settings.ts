import { usageError } from './cli-error.ts';

/** The native launcher's addresses: what `./fleetw start` runs. */
export const defaultConnectionSettings = {
  brokers: '127.0.0.1:9092',
  databaseUrl: 'postgres://postgres@127.0.0.1:5432/postgres',
} as const;

export interface ConnectionSettings {
  brokers: string[];
  databaseUrl: string;
  ssl: boolean;
  sasl:
    | { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string }
    | undefined;
}

export interface ConnectionOptions {
  brokers?: string | undefined;
  databaseUrl?: string | undefined;
}

/** Options first, then the environment (the runtime's variable names), then the launcher's defaults. */
export function resolveConnectionSettings(
  options: ConnectionOptions,
  env: Record<string, string | undefined>,
): ConnectionSettings {
  const set = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim());
  const brokersText = set(options.brokers) ?? set(env.KAFKA_BROKERS) ?? defaultConnectionSettings.brokers;
  const brokersFrom = set(options.brokers)
    ? '--brokers'
    : set(env.KAFKA_BROKERS)
      ? 'KAFKA_BROKERS'
      : 'default';
  const brokers = brokersText
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  for (const broker of brokers) {
    const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(broker);
    if (!match || Number(match[2]) < 1 || Number(match[2]) > 65535)
      throw usageError(
        'BAD_SETTING',
        `${brokersFrom} "${brokersText}": "${broker}" is not host:port; write e.g. 127.0.0.1:9092 (comma-separated for several brokers)`,
      );
  }
  const databaseUrl =
    set(options.databaseUrl) ?? set(env.DATABASE_URL) ?? defaultConnectionSettings.databaseUrl;
  const urlFrom = set(options.databaseUrl)
    ? '--database-url'
    : set(env.DATABASE_URL)
      ? 'DATABASE_URL'
      : 'default';
  let url: URL | undefined;
  try {
    url = new URL(databaseUrl);
  } catch {
    url = undefined;
  }
  if (!url || !['postgres:', 'postgresql:'].includes(url.protocol) || !url.hostname)
    throw usageError(
      'BAD_SETTING',
      `${urlFrom} "${redact(databaseUrl)}" is not a PostgreSQL URL; write e.g. postgres://user@127.0.0.1:5432/database`,
    );
  const mechanism = set(env.KAFKA_SASL_MECHANISM);
  let sasl: ConnectionSettings['sasl'];
  if (mechanism) {
    if (!['plain', 'scram-sha-256', 'scram-sha-512'].includes(mechanism))
      throw usageError(
        'BAD_SETTING',
        `KAFKA_SASL_MECHANISM "${mechanism}": use plain, scram-sha-256 or scram-sha-512`,
      );
    const username = set(env.KAFKA_SASL_USERNAME);
    const password = set(env.KAFKA_SASL_PASSWORD);
    if (!username || !password)
      throw usageError(
        'BAD_SETTING',
        'KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required when KAFKA_SASL_MECHANISM is set',
      );
    sasl = { mechanism: mechanism as 'plain', username, password };
  }
  const ssl = ['true', '1'].includes(set(env.KAFKA_SSL) ?? 'false');
  return { brokers, databaseUrl, ssl, sasl };
}

/** A URL fit to print: the password hidden. */
export function redact(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
}
