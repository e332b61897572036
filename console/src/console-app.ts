import { type Admin, Kafka, type KafkaConfig, logLevel } from 'kafkajs';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { type Logger, pino } from 'pino';
import { AdminClient } from './admin-client.ts';
import { AuditLog } from './audit-log.ts';
import { Auth } from './auth.ts';
import { FleetCollector } from './collector.ts';
import type { ConsoleConfig } from './config.ts';
import { ConsoleOperations } from './operations.ts';
import { createServer } from './server.ts';

export interface RunningConsole {
  /** `http://host:port` it listens on. */
  address: string;
  collector: FleetCollector;
  audit: AuditLog;
  stop(): Promise<void>;
}

/**
 * Starts the console: its audit table (created if missing), the fleet reader and the HTTP server.
 * PostgreSQL must answer at start-up (the audit needs it); Kafka may come later (the overview says
 * it is away meanwhile).
 */
export async function startConsole(
  config: ConsoleConfig,
  logger: Logger = pino({ level: config.logLevel, base: { service: 'fleet-console' } }),
): Promise<RunningConsole> {
  const pool = new pg.Pool({
    connectionString: config.databaseUrl,
    max: 6,
    application_name: 'fleet-console',
    connectionTimeoutMillis: 5_000,
  });
  pool.on('error', (error) => logger.warn({ err: error }, 'idle PostgreSQL connection failed'));
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
  const audit = new AuditLog(db);
  try {
    await audit.migrate();
  } catch (error) {
    await db.destroy();
    throw error;
  }

  const { brokers, clientId, ssl, sasl } = config.kafka;
  const kafka = new Kafka({
    clientId: clientId ?? 'fleet-console',
    brokers,
    ssl,
    ...(sasl ? { sasl: sasl as KafkaConfig['sasl'] } : {}),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3_000,
    retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 1_000 },
  });
  let admin: Promise<Admin> | undefined;
  const kafkaAdmin = () => {
    admin ??= (async () => {
      const a = kafka.admin();
      await a.connect();
      return a;
    })().catch((error: unknown) => {
      admin = undefined; // the next reading tries again
      throw error;
    });
    return admin;
  };

  const client = new AdminClient({ token: config.adminToken, timeoutMs: config.adminTimeoutMs });
  const collector = new FleetCollector({
    db,
    kafkaAdmin,
    client,
    pollMs: config.pollMs,
    historyMinutes: config.historyMinutes,
    aliveSeconds: config.aliveSeconds,
    logger,
  });
  const auth = new Auth(config.tokens, { sessionHours: config.sessionHours });
  const operations = new ConsoleOperations({ client, collector, audit, ackTimeoutMs: config.ackTimeoutMs });
  const app = createServer({
    auth,
    operations,
    collector,
    audit,
    logger,
    sessionHours: config.sessionHours,
    secureCookie: config.secureCookie,
  });
  await collector.start();
  const address = await app.listen({ host: config.host, port: config.port });
  return {
    address,
    collector,
    audit,
    async stop() {
      await collector.stop();
      await app.close();
      const a = await admin?.catch(() => undefined);
      await a?.disconnect().catch(() => {});
      await db.destroy();
    },
  };
}
