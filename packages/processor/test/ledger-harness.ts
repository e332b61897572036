import { EventCodec, type EventType, envelopeToHeaders, newEnvelope } from '@fleet/contracts';
import { createTestDatabase, infraSettings, kyselyFor, testKafka, uniqueName, waitFor } from '@fleet/testkit';
import type { Message } from 'kafkajs';
import type { Kysely } from 'kysely';
import { loadRuntimeConfig, ProcessorRuntime, type RuntimeConfig } from '../src/index.ts';
import { fetchGroupLag } from '../src/lag-monitor.ts';
import { type LedgerDb, ledgerContracts, ledgerOracle, ledgerProcessor, type Movement } from './ledger.ts';

export interface LedgerInput {
  id: string;
  type: 'Deposited' | 'Withdrawn';
  data: Movement;
}

/** A fresh ledger world per test file: its own topics, subjects, database and consumer group. */
export async function ledgerWorld(name = 'ledger') {
  const kafka = testKafka('ledger-test');
  const admin = kafka.admin();
  await admin.connect();
  const contracts = ledgerContracts(uniqueName('accounts'), uniqueName('notices'));
  await admin.createTopics({
    topics: [contracts.accounts, contracts.notices].map((t) => ({
      topic: t.name,
      numPartitions: t.partitions,
    })),
    waitForLeaders: true,
  });
  const database = await createTestDatabase(name);
  const codec = new EventCodec({
    registryUrl: infraSettings().schemaRegistryUrl,
    events: [contracts.Deposited, contracts.Withdrawn, contracts.BalanceChanged] as EventType[],
  });
  await codec.registerAll();
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  const db = kyselyFor<LedgerDb>(database.url).withSchema(name);
  const definition = ledgerProcessor(contracts, name);
  const sent: LedgerInput[] = [];

  const env = {
    KAFKA_BROKERS: infraSettings().kafkaBrokers.join(','),
    SCHEMA_REGISTRY_URL: infraSettings().schemaRegistryUrl,
    DATABASE_URL: database.url,
    LOG_LEVEL: 'silent',
    PROCESSOR_LAG_INTERVAL_MS: '300',
    PROCESSOR_OUTBOX_POLL_MS: '50',
  };

  const world = {
    kafka,
    admin,
    contracts,
    codec,
    database,
    db,
    definition,
    sent,
    env,
    config: (overrides: Record<string, string> = {}): RuntimeConfig =>
      loadRuntimeConfig({ ...env, ...overrides }),
    start: (overrides: Record<string, string> = {}) =>
      ProcessorRuntime.start(definition, { config: world.config(overrides) }),

    /** Encodes like a real producer: Confluent wire format, CloudEvents headers, key = account. */
    async encode(input: LedgerInput): Promise<Message> {
      const type = contracts[input.type];
      const envelope = newEnvelope({
        id: input.id,
        type: type.type,
        source: '/test/ledger',
        subject: input.data.accountId,
      });
      return {
        key: input.data.accountId,
        value: await codec.encode(type, input.data),
        headers: envelopeToHeaders(envelope),
      };
    },
    async send(inputs: LedgerInput[]): Promise<void> {
      const messages = await Promise.all(inputs.map((i) => world.encode(i)));
      await producer.send({ topic: contracts.accounts.name, messages, acks: -1 });
      sent.push(...inputs);
    },
    async sendRaw(messages: Message[]): Promise<void> {
      await producer.send({ topic: contracts.accounts.name, messages, acks: -1 });
    },
    async balances(): Promise<Map<string, { balance: number; applied: number }>> {
      const rows = await db.selectFrom('balances').selectAll().execute();
      return new Map(rows.map((r) => [r.account_id, { balance: Number(r.balance), applied: r.applied }]));
    },
    /** Waits until the projection equals the oracle of everything sent, and the group has no lag. */
    async waitForOracle(timeoutMs = 90_000) {
      const expected = JSON.stringify([...ledgerOracle(sent)].sort());
      let actual = '';
      await waitFor(
        'the projection to equal the oracle',
        async () => {
          actual = JSON.stringify([...(await world.balances())].sort());
          return actual === expected ? true : undefined;
        },
        { timeoutMs, intervalMs: 200 },
      ).catch((error: Error) => {
        throw new Error(
          `${error.message}\nexpected ${expected.slice(0, 500)}\nactual   ${actual.slice(0, 500)}`,
        );
      });
      await waitFor('consumer lag 0', async () => {
        const lags = await fetchGroupLag(admin, name, [contracts.accounts.name]);
        return lags.every((l) => l.lag === 0) ? true : undefined;
      });
    },
    async readTopic(
      topic: string,
    ): Promise<{ key: string | null; value: Buffer | null; headers: Record<string, string> }[]> {
      const consumer = kafka.consumer({ groupId: uniqueName('reader') });
      const total = (await admin.fetchTopicOffsets(topic)).reduce((s, p) => s + Number(p.high), 0);
      const records: { key: string | null; value: Buffer | null; headers: Record<string, string> }[] = [];
      if (total === 0) return records;
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(message.headers ?? {}))
            if (v !== undefined) headers[k] = String(v);
          records.push({ key: message.key?.toString() ?? null, value: message.value, headers });
        },
      });
      await waitFor(`${total} records of ${topic}`, () => (records.length >= total ? true : undefined));
      await consumer.disconnect();
      return records;
    },
    async close() {
      await producer.disconnect();
      await admin.disconnect();
      await (db as unknown as Kysely<LedgerDb>).destroy();
      await database.drop();
    },
  };
  return world;
}

export type LedgerWorld = Awaited<ReturnType<typeof ledgerWorld>>;

/** Deposits and withdrawals over `accounts` accounts with per-account sequence numbers. */
export function movements(count: number, accounts: number, prefix = uniqueName('evt')): LedgerInput[] {
  const seq = new Map<string, number>();
  return Array.from({ length: count }, (_, i) => {
    const accountId = `acct-${i % accounts}`;
    const s = seq.get(accountId) ?? 0;
    seq.set(accountId, s + 1);
    return {
      id: `${prefix}-${i}`,
      type: i % 4 === 3 ? 'Withdrawn' : 'Deposited',
      data: { accountId, amount: (i % 7) + 1, seq: s },
    } satisfies LedgerInput;
  });
}
