import { kafkaClientOptions } from '@fleet/service-kit';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { CliError } from './cli-error.ts';
import { type ConnectionSettings, redact } from './connection-settings.ts';

/**
 * Kafka and Postgres clients for one command, opened on first use and closed at the end. Short
 * retries: an operator wants "cannot reach Kafka" in seconds, not after kafkajs's default half minute.
 */
export class FleetConnections {
  readonly settings: ConnectionSettings;
  #kafka: Kafka | undefined;
  #admin: Admin | undefined;
  #db: Kysely<unknown> | undefined;

  constructor(settings: ConnectionSettings) {
    this.settings = settings;
  }

  get kafka(): Kafka {
    this.#kafka ??= new Kafka({
      ...kafkaClientOptions(this.settings.kafka, 'fleet-cli'),
      logLevel: logLevel.NOTHING,
      connectionTimeout: 3_000,
      retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2_000 },
    });
    return this.#kafka;
  }

  async admin(): Promise<Admin> {
    if (!this.#admin) {
      const admin = this.kafka.admin();
      try {
        await admin.connect();
      } catch (error) {
        throw this.#kafkaFailure(error, 'and that the broker runs (./fleetw infra status)');
      }
      this.#admin = admin;
    }
    return this.#admin;
  }

  get db(): Kysely<unknown> {
    if (!this.#db) {
      const pool = new pg.Pool({
        connectionString: this.settings.databaseUrl,
        max: 4,
        application_name: 'fleet-cli',
        connectionTimeoutMillis: 5_000,
      });
      pool.on('error', () => {});
      this.#db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
    }
    return this.#db;
  }

  /** Turns a driver's connection failure into a message naming the setting to check. */
  explain(error: unknown): unknown {
    const code = (error as { code?: unknown }).code;
    if (
      typeof code === 'string' &&
      ['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', '28P01', '3D000', '28000'].includes(code)
    )
      return new CliError(
        'POSTGRES_UNREACHABLE',
        `cannot use PostgreSQL at ${redact(this.settings.databaseUrl)}: ${(error as Error).message}; check --database-url / DATABASE_URL`,
      );
    if (
      (error as Error)?.message === 'timeout expired' ||
      (error as Error)?.message?.includes('Connection terminated')
    )
      return new CliError(
        'POSTGRES_UNREACHABLE',
        `cannot use PostgreSQL at ${redact(this.settings.databaseUrl)}: ${(error as Error).message}; check --database-url / DATABASE_URL`,
      );
    const name = (error as Error)?.name ?? '';
    if (
      name === 'KafkaJSConnectionError' ||
      name === 'KafkaJSNumberOfRetriesExceeded' ||
      name === 'KafkaJSSASLAuthenticationError'
    )
      return this.#kafkaFailure(error);
    return error;
  }

  /**
   * A failed connection to Kafka, by its kind, each with its code and the settings to check:
   * credentials (KAFKA_AUTH_FAILED), TLS (KAFKA_TLS_FAILED) or address (KAFKA_UNREACHABLE).
   */
  #kafkaFailure(error: unknown, orElse = ''): CliError {
    const message = (error as Error).message;
    const at = `Kafka at ${this.settings.kafka.brokers.join(',')}`;
    if ((error as Error).name === 'KafkaJSSASLAuthenticationError')
      return new CliError(
        'KAFKA_AUTH_FAILED',
        `${at} refused the credentials: ${message}; check KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD (or _FILE)`,
      );
    if (/certificate|SSL|TLS/i.test(message))
      return new CliError(
        'KAFKA_TLS_FAILED',
        `TLS with ${at} failed: ${message}; check KAFKA_SECURITY_PROTOCOL, KAFKA_SSL_CA_FILE (the CA that signed the brokers' certificates) and KAFKA_SSL_CERT_FILE/KAFKA_SSL_KEY_FILE`,
      );
    return new CliError(
      'KAFKA_UNREACHABLE',
      `cannot reach ${at}: ${message}; check --brokers / KAFKA_BROKERS${orElse ? ` ${orElse}` : ''}${this.settings.kafka.protocol === 'PLAINTEXT' ? ', and KAFKA_SECURITY_PROTOCOL if the brokers want TLS or SASL' : ''}`,
    );
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.#admin?.disconnect(), this.#db?.destroy()]);
  }
}
