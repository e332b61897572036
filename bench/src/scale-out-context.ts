import { uniqueName } from '@fleet/testkit';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { type Kysely, sql } from 'kysely';
import { type BenchTopics, createBenchTopics } from './bench-topics.ts';
import type { ScenarioInput } from './scenario.ts';
import { countRows, schemaDatabase } from './schema-database.ts';

/** What every run of the scale-out measurement shares: clients, the database, the run's namespace. */
export interface ScaleOutContext {
  kafka: Kafka;
  admin: Admin;
  databaseUrl: string;
  /** Prefix of every topic and registry subject of this measurement (removed at the end). */
  namespace: string;
  keys: number;
  log: (line: string) => void;
}

/**
 * A transactional (idempotent) producer, so that a backlog can be held invisible until it commits.
 * One per run: a kafkajs client keeps asking for the metadata of every topic it ever sent to, and
 * fails once an earlier run's topic is deleted.
 */
export async function backlogProducer(ctx: ScaleOutContext): Promise<Producer> {
  const producer = ctx.kafka.producer({
    transactionalId: uniqueName(`${ctx.namespace}tx`),
    idempotent: true,
    maxInFlightRequests: 1,
    transactionTimeout: 300_000,
  });
  await producer.connect();
  return producer;
}

/** Fresh topics (6 partitions in, 3 out) named in the measurement's namespace. */
export async function scaleOutTopics(ctx: ScaleOutContext, name: string): Promise<BenchTopics> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await createBenchTopics(`${ctx.namespace}${name}`);
    } catch (error) {
      // On a loaded broker a topic just created can be missing from the metadata kafkajs waits on for
      // its leaders, an error it does not retry: try again under new names (the namespace's removal
      // at the end takes the half-made ones too).
      if (attempt >= 3 || (error as { type?: string }).type !== 'UNKNOWN_TOPIC_OR_PARTITION') throw error;
      ctx.log(`creating the topics of ${name} failed (${(error as Error).message}); again`);
    }
  }
}

/** What an instance is told: processor D on the run's topics, schema and consumer group. */
export function instanceInput(
  ctx: ScaleOutContext,
  topics: { readingsTopic: string; milestonesTopic: string },
  schema: string,
  events: number,
): ScenarioInput {
  return {
    scenario: 'serve',
    events,
    keys: ctx.keys,
    readingsTopic: topics.readingsTopic,
    milestonesTopic: topics.milestonesTopic,
    databaseUrl: ctx.databaseUrl,
    schema,
    groupId: uniqueName(`${ctx.namespace}${schema}`),
    batchSize: 500,
    writers: 3,
    maxSeconds: 600,
  };
}

/** A one-connection pool on the run's schema, for the checks. */
export const runDatabase = (ctx: ScaleOutContext, schema: string) =>
  schemaDatabase<unknown>(ctx.databaseUrl, schema, 1);

/** Waits until the dedupe table holds `events` IDs and the outbox is empty; `check` throws an instance's failure. */
export async function waitUntilDone(
  db: Kysely<unknown>,
  events: number,
  check: () => void,
  timeoutMs: number,
): Promise<void> {
  await pollUntil(
    `${events} events applied and the outbox drained`,
    async () => {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from processed_events`.execute(db);
      return (rows[0]?.n ?? 0) >= events && (await countRows(db, 'outbox')) === 0 ? true : undefined;
    },
    { timeoutMs, check },
  );
}

/**
 * Polls `probe` until it returns a value; unlike testkit's waitFor, a failure of `check` (an
 * instance that died) or of the probe ends the wait at once instead of at the timeout.
 */
export async function pollUntil<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  {
    timeoutMs,
    intervalMs = 100,
    check = () => {},
  }: { timeoutMs: number; intervalMs?: number; check?: () => void },
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    check();
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Removes a run's consumer group (best effort: the namespace's topics go at the end anyway). */
export async function dropGroup(ctx: ScaleOutContext, groupId: string): Promise<void> {
  await ctx.admin.deleteGroups([groupId]).catch(() => {});
}
