import { EventCodec, type EventType } from '@fleet/contracts';
import {
  deadLetterTopicOf,
  fetchGroupLag,
  loadRuntimeConfig,
  type ProcessorDefinition,
  ProcessorRuntime,
} from '@fleet/processor';
import {
  createTestDatabase,
  infraSettings,
  kyselyFor,
  type TestDatabase,
  testKafka,
  uniqueName,
} from '@fleet/testkit';
import fc from 'fast-check';
import type { Admin, Kafka, Message, Producer } from 'kafkajs';
import { sql } from 'kysely';
import { ledgerContracts, ledgerProcessor } from '../../packages/processor/test/ledger.ts';
import { buildRecords, type FuzzRecord } from './build-records.ts';
import { type RawRecord, type Verdict, verifyRun } from './fuzz-oracle.ts';
import { type RecordSpec, recordSpecs } from './record-arbitraries.ts';

export interface FuzzOptions {
  seed: number;
  records: number;
  runs: number;
  /** Shrink a failing input to a minimal one (each step is a run on the real infrastructure). */
  shrink: boolean;
  /** How long the processor may take to settle after the last record was produced. */
  settleTimeoutMs: number;
  log?: (line: string) => void;
}

export interface FuzzSummary {
  seed: number;
  runs: number;
  recordsPerRun: number;
  passed: boolean;
  /** fast-check's report of the failure (seed, path, minimal counterexample), when one failed. */
  failure?: string;
  outcomes: Verdict['outcomes'];
  reasons: Verdict['reasons'];
  unhandledRejections: number;
  /** From the last record produced to lag 0, per run: how long the processor took to settle. */
  settleSeconds: number[];
}

/**
 * Runs the property: for `runs` generated inputs of `records` records each, a fresh ledger processor
 * (its own topic, group, DLQ and schema) on the real broker, registry and PostgreSQL consumes them,
 * and `verifyRun` finds no violation, lag returns to 0 in bounded time, /readyz is green and no
 * promise was rejected unhandled.
 */
export async function runFuzz(options: FuzzOptions): Promise<FuzzSummary> {
  const log = options.log ?? (() => {});
  const kafka = testKafka('fuzz');
  const admin = kafka.admin();
  const producer = kafka.producer({ idempotent: true });
  await Promise.all([admin.connect(), producer.connect()]);
  const database = await createTestDatabase('fuzz');
  let unhandledRejections = 0;
  const onRejection = (reason: unknown) => {
    unhandledRejections++;
    log(`unhandled rejection: ${reason instanceof Error ? reason.stack : String(reason)}`);
  };
  process.on('unhandledRejection', onRejection);
  const summary: FuzzSummary = {
    seed: options.seed,
    runs: 0,
    recordsPerRun: options.records,
    passed: false,
    outcomes: {},
    reasons: {},
    unhandledRejections: 0,
    settleSeconds: [],
  };
  try {
    const property = fc.asyncProperty(recordSpecs(options.records), async (specs) => {
      const run = await runOnce(specs, { kafka, admin, producer, database, options });
      summary.runs++;
      summary.settleSeconds.push(run.settleSeconds);
      merge(summary, run.verdict);
      log(
        `run ${summary.runs}: ${specs.length} records, ${run.verdict.violations.length} violation(s), settled in ${run.settleSeconds.toFixed(1)} s`,
      );
      if (unhandledRejections > 0)
        run.verdict.violations.push(`${unhandledRejections} unhandled rejection(s)`);
      if (run.verdict.violations.length > 0)
        throw new Error(
          `${run.verdict.violations.length} violation(s):\n  ${run.verdict.violations.slice(0, 20).join('\n  ')}`,
        );
    });
    const result = await fc.check(property, {
      seed: options.seed,
      numRuns: options.runs,
      endOnFailure: !options.shrink,
    });
    summary.passed = !result.failed;
    if (result.failed) summary.failure = fc.defaultReportMessage(result) ?? 'failed';
  } finally {
    process.off('unhandledRejection', onRejection);
    summary.unhandledRejections = unhandledRejections;
    await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
    await database.drop().catch(() => {});
  }
  return summary;
}

interface RunDeps {
  kafka: Kafka;
  admin: Admin;
  producer: Producer;
  database: TestDatabase;
  options: FuzzOptions;
}

async function runOnce(
  specs: RecordSpec[],
  deps: RunDeps,
): Promise<{ verdict: Verdict; settleSeconds: number }> {
  const { admin, producer, database, options } = deps;
  const runId = uniqueName('fz')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
  const name = `fuzz_${runId}`;
  const contracts = ledgerContracts(`fuzz_accounts_${runId}`, `fuzz_notices_${runId}`);
  await admin.createTopics({
    topics: [contracts.accounts, contracts.notices].map((t) => ({
      topic: t.name,
      numPartitions: t.partitions,
    })),
    waitForLeaders: true,
  });
  const codec = new EventCodec({
    registryUrl: infraSettings().schemaRegistryUrl,
    events: [contracts.Deposited, contracts.Withdrawn, contracts.BalanceChanged] as EventType[],
  });
  await codec.registerAll();
  const definition = ledgerProcessor(contracts, name);
  const runtime = await ProcessorRuntime.start(definition, {
    config: loadRuntimeConfig({
      KAFKA_BROKERS: infraSettings().kafkaBrokers.join(','),
      SCHEMA_REGISTRY_URL: infraSettings().schemaRegistryUrl,
      DATABASE_URL: database.url,
      LOG_LEVEL: process.env.FUZZ_LOG_LEVEL ?? 'silent',
      HTTP_PORT: '0',
      PROCESSOR_LAG_INTERVAL_MS: '500',
      PROCESSOR_OUTBOX_POLL_MS: '50',
    }),
  });
  try {
    const records = buildRecords(specs, {
      runId,
      schemaIds: {
        Deposited: codec.schemaIdOf(contracts.Deposited as EventType),
        Withdrawn: codec.schemaIdOf(contracts.Withdrawn as EventType),
      },
      typeNames: { Deposited: contracts.Deposited.type, Withdrawn: contracts.Withdrawn.type },
    });
    const offsets = await produce(producer, contracts.accounts.name, records);
    const produced = Date.now();
    await settle(admin, name, contracts.accounts.name, options.settleTimeoutMs);
    const settleSeconds = (Date.now() - produced) / 1000;
    const ready = await fetch(`${runtime.internalAddress}/readyz`);
    const verdict = verifyRun(records, offsets, await observe(deps, definition));
    if (ready.status !== 200)
      verdict.violations.push(`/readyz answered ${ready.status}: ${await ready.text()}`);
    return { verdict, settleSeconds };
  } catch (error) {
    return {
      verdict: { violations: [(error as Error).message], outcomes: {}, reasons: {} },
      settleSeconds: NaN,
    };
  } finally {
    await runtime.stop();
  }
}

/**
 * Produces in order, each record to its chosen partition, in sends small enough for the broker's
 * batch limit; returns each record's offset (a send's records to one partition are consecutive).
 */
async function produce(
  producer: Producer,
  topic: string,
  records: FuzzRecord[],
): Promise<Map<number, string>> {
  const offsets = new Map<number, string>();
  let chunk: FuzzRecord[] = [];
  let bytes = 0;
  const flush = async () => {
    if (chunk.length === 0) return;
    const messages: Message[] = chunk.map((r) => ({
      partition: r.partition,
      key: r.key,
      value: r.value,
      headers: r.headers,
    }));
    const metadata = await producer.send({ topic, messages, acks: -1 });
    const next = new Map(metadata.map((m) => [m.partition, BigInt(m.baseOffset ?? '0')]));
    for (const r of chunk) {
      const offset = next.get(r.partition) ?? 0n;
      offsets.set(r.index, offset.toString());
      next.set(r.partition, offset + 1n);
    }
    chunk = [];
    bytes = 0;
  };
  for (const r of records) {
    const size = sizeOf(r);
    if (bytes + size > 400_000 || chunk.length >= 200) await flush();
    chunk.push(r);
    bytes += size;
  }
  await flush();
  return offsets;
}

function sizeOf(r: FuzzRecord): number {
  let size = (r.key?.length ?? 0) + (r.value?.length ?? 0);
  for (const [name, value] of Object.entries(r.headers))
    for (const v of Array.isArray(value) ? value : [value])
      size += name.length + 8 + (v === undefined ? 0 : Buffer.byteLength(v));
  return size;
}

/** Waits for the group to have consumed everything: lag 0 on every partition. */
async function settle(admin: Admin, groupId: string, topic: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const lags = await fetchGroupLag(admin, groupId, [topic]);
    last = lags.map((l) => `${l.partition}:${l.lag}`).join(' ');
    if (lags.length > 0 && lags.every((l) => l.lag === 0)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the processor did not settle within ${timeoutMs} ms (lag per partition: ${last})`);
}

async function observe(deps: RunDeps, definition: ProcessorDefinition<unknown>) {
  const db = kyselyFor<unknown>(deps.database.url);
  try {
    const schema = sql.id(definition.name);
    const balances = await sql<{ account_id: string; balance: string; applied: number }>`
      select account_id, balance, applied from ${schema}.balances`.execute(db);
    const history = await sql<{ n: number }>`select count(*)::int as n from ${schema}.history`.execute(db);
    const ids = await sql<{ event_id: string }>`select event_id from ${schema}.processed_events`.execute(db);
    return {
      deadLetters: await readRaw(deps.kafka, deps.admin, deadLetterTopicOf(definition)),
      balances: new Map(
        balances.rows.map((r) => [r.account_id, { balance: Number(r.balance), applied: r.applied }]),
      ),
      historyRows: history.rows[0]?.n ?? 0,
      appliedIds: new Set(ids.rows.map((r) => r.event_id)),
    };
  } finally {
    await db.destroy();
  }
}

/** Every record of a topic, bytes untouched (testkit's readTopic decodes headers to strings). */
async function readRaw(kafka: Kafka, admin: Admin, topic: string): Promise<RawRecord[]> {
  const ends = await admin.fetchTopicOffsets(topic);
  const total = ends.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  const records: RawRecord[] = [];
  if (total === 0) return records;
  const consumer = kafka.consumer({ groupId: uniqueName('fuzz-reader') });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        records.push({ key: message.key, value: message.value, headers: message.headers ?? {} });
      },
    });
    const deadline = Date.now() + 60_000;
    while (records.length < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (records.length < total) throw new Error(`read ${records.length} of ${total} records of ${topic}`);
  } finally {
    await consumer.disconnect();
  }
  return records;
}

function merge(summary: FuzzSummary, verdict: Verdict): void {
  for (const [kind, o] of Object.entries(verdict.outcomes)) {
    const s = summary.outcomes[kind] ?? { sent: 0, applied: 0, dead: 0, skipped: 0 };
    summary.outcomes[kind] = {
      sent: s.sent + o.sent,
      applied: s.applied + o.applied,
      dead: s.dead + o.dead,
      skipped: s.skipped + o.skipped,
    };
  }
  for (const [code, n] of Object.entries(verdict.reasons))
    summary.reasons[code] = (summary.reasons[code] ?? 0) + n;
}
