// The fleet's clients over a broker that speaks only SASL_SSL (TLS with a private CA and client
// certificates, SCRAM-SHA-512 and PLAIN), configured by the shared variables alone, and a registry that
// asks for basic auth: apply-topics, check-compat, the producer SDK, a processor (consume, outbox
// follow-ons, dead letters) and the fleet CLI.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { orderCatalog } from '@fleet/contracts/orders';
import { createProducer, producerConnectionFromEnv } from '@fleet/producer';
import { kafkaClientOptions, loadKafkaSettings } from '@fleet/service-kit';
import {
  createTestDatabase,
  infraSettings,
  kyselyFor,
  readTopic,
  type SecureBroker,
  startSecureBroker,
  type TestDatabase,
  waitFor,
} from '@fleet/testkit';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadLetterTopicOf, loadRuntimeConfig, ProcessorRuntime } from '../src/index.ts';
import { startBasicAuthProxy } from './basic-auth-proxy.ts';
import { type LedgerDb, ledgerContracts, ledgerOracle, ledgerProcessor, POISON_AMOUNT } from './ledger.ts';

const repo = new URL('../../../', import.meta.url).pathname;
const exec = promisify(execFile);

/** A script of the repository as its own Node process: exit code and output, whatever the code. */
async function node(script: string, args: string[], env: Record<string, string>) {
  try {
    const { stdout, stderr } = await exec(process.execPath, [join(repo, script), ...args], {
      env: { ...process.env, ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const registryUser = { username: 'fleet-registry', password: randomBytes(12).toString('hex') };

let broker: SecureBroker;
let proxy: Awaited<ReturnType<typeof startBasicAuthProxy>>;
let database: TestDatabase;
/** SASL_SSL + SCRAM-SHA-512 to the broker, basic auth to the registry: nothing else differs from a plain run. */
let secureEnv: Record<string, string>;
let kafka: Kafka;
let admin: Admin;

beforeAll(async () => {
  [broker, proxy, database] = await Promise.all([
    startSecureBroker(),
    startBasicAuthProxy(infraSettings().schemaRegistryUrl, registryUser),
    createTestDatabase('secure'),
  ]);
  const registryPasswordFile = join(broker.stateDir, 'registry.password');
  writeFileSync(registryPasswordFile, `${registryUser.password}\n`, { mode: 0o600 });
  secureEnv = {
    ...broker.env,
    SCHEMA_REGISTRY_URL: proxy.url,
    SCHEMA_REGISTRY_USERNAME: registryUser.username,
    SCHEMA_REGISTRY_PASSWORD_FILE: registryPasswordFile,
  };
  // The test's own client reads the same variables through the same module as the services.
  kafka = new Kafka({
    ...kafkaClientOptions(loadKafkaSettings(secureEnv), 'secure-test'),
    logLevel: logLevel.NOTHING,
  });
  admin = kafka.admin();
  await admin.connect();
});

afterAll(async () => {
  await admin?.disconnect().catch(() => {});
  await proxy?.close();
  await database?.drop();
  broker?.stop();
});

/** A connection attempt with a variant of the settings: what the broker answers. */
async function connectWith(overrides: Record<string, string>): Promise<string> {
  const env = { ...secureEnv, ...overrides };
  for (const [name, value] of Object.entries(env)) if (value === '') delete env[name];
  const client = new Kafka({
    ...kafkaClientOptions(loadKafkaSettings(env), 'secure-probe'),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3_000,
    retry: { retries: 0 },
  }).admin();
  try {
    await client.connect();
    await client.listTopics();
    return 'connected';
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  } finally {
    await client.disconnect().catch(() => {});
  }
}

describe('a SASL_SSL broker', () => {
  it('lets in SCRAM-SHA-512 and PLAIN over TLS, and refuses everything short of the full settings', async () => {
    expect(await connectWith({})).toBe('connected');
    expect(await connectWith({ KAFKA_SASL_MECHANISM: 'plain' })).toBe('connected');
    expect(await connectWith({ KAFKA_SASL_PASSWORD_FILE: '', KAFKA_SASL_PASSWORD: 'wrong' })).toMatch(
      /SASLAuthentication.*invalid credentials/,
    );
    // The system CAs do not know the private CA.
    expect(await connectWith({ KAFKA_SSL_CA_FILE: '' })).toMatch(
      /self-signed certificate in certificate chain/,
    );
    // The broker asks for a client certificate.
    expect(await connectWith({ KAFKA_SSL_CERT_FILE: '', KAFKA_SSL_KEY_FILE: '' })).toMatch(
      /bad certificate|certificate required/,
    );
    // No TLS, no SASL: the broker closes the connection.
    const plaintext = Object.fromEntries(
      Object.keys(secureEnv)
        .filter((k) => k.startsWith('KAFKA_SSL') || k.startsWith('KAFKA_SASL'))
        .map((k) => [k, '']),
    );
    expect(await connectWith({ ...plaintext, KAFKA_SECURITY_PROTOCOL: 'PLAINTEXT' })).not.toBe('connected');
  });
});

describe('the fleet over SASL_SSL, with registry credentials', () => {
  it('apply-topics creates the declared topics; check-compat sends the registry credentials', async () => {
    const applied = await node('packages/contracts/src/bin/apply-topics.ts', [], secureEnv);
    expect(applied.code, applied.stderr).toBe(0);
    const declared = orderCatalog.topics().map((t) => t.name);
    expect(await admin.listTopics()).toEqual(expect.arrayContaining(declared));

    const refusedBefore = proxy.seen.refused;
    const checked = await node('packages/contracts/src/bin/check-compatibility.ts', ['--json'], secureEnv);
    expect(checked.code, checked.stderr).toBe(0);
    expect(JSON.parse(checked.stdout).ok).toBe(true);
    expect(proxy.seen.authorized).toBeGreaterThan(0);
    expect(proxy.seen.refused).toBe(refusedBefore);

    // Without them the registry refuses, and the gate says it could not check (exit 2), not "compatible".
    const anonymous = { ...secureEnv, SCHEMA_REGISTRY_USERNAME: '', SCHEMA_REGISTRY_PASSWORD_FILE: '' };
    const refused = await node('packages/contracts/src/bin/check-compatibility.ts', [], anonymous);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/401/);
    expect(proxy.seen.refused).toBeGreaterThan(refusedBefore);
  });

  it('the producer SDK publishes, a processor consumes, relays its follow-ons and dead-letters a poison event; the CLI lists it', async () => {
    const contracts = ledgerContracts(`accounts_${Date.now()}`, `notices_${Date.now()}`);
    await admin.createTopics({
      topics: [contracts.accounts, contracts.notices].map((t) => ({ topic: t.name, numPartitions: 3 })),
      waitForLeaders: true,
    });

    // The producer with PLAIN (over TLS), from the variables alone; schemas registered through the proxy.
    const authorizedBefore = proxy.seen.authorized;
    const connection = producerConnectionFromEnv({ ...secureEnv, KAFKA_SASL_MECHANISM: 'plain' });
    const producer = createProducer({
      ...connection,
      // A fresh broker's transaction coordinator is still loading: kafkajs logs the retried answer.
      kafka: { ...connection.kafka, logLevel: logLevel.NOTHING },
      source: '/test/secure',
      events: [contracts.Deposited, contracts.Withdrawn],
    });
    await producer.connect();
    const sent: Parameters<typeof ledgerOracle>[0] = [];
    try {
      for (const account of ['a-1', 'a-2', 'a-3'])
        for (let seq = 0; seq < 10; seq++) {
          const data = { accountId: account, amount: 10, seq };
          sent.push({ id: await producer.publish(contracts.Deposited, data), type: 'Deposited', data });
        }
      const poison = { accountId: 'a-1', amount: POISON_AMOUNT, seq: 11 };
      sent.push({ id: await producer.publish(contracts.Deposited, poison), type: 'Deposited', data: poison });
    } finally {
      await producer.disconnect();
    }
    expect(proxy.seen.authorized).toBeGreaterThan(authorizedBefore);
    const poisonId = sent.at(-1)?.id;

    // The processor with SCRAM-SHA-512: consume, dedupe, handlers, outbox relay, DLQ producer.
    const definition = ledgerProcessor(contracts, 'secure_ledger');
    const runtime = await ProcessorRuntime.start(definition, {
      config: loadRuntimeConfig({
        ...secureEnv,
        DATABASE_URL: database.url,
        LOG_LEVEL: 'silent',
        PROCESSOR_OUTBOX_POLL_MS: '50',
      }),
    });
    const db = kyselyFor<LedgerDb>(database.url).withSchema('secure_ledger');
    try {
      const expected = JSON.stringify([...ledgerOracle(sent)].sort());
      await waitFor(
        'the projection to equal the oracle',
        async () => {
          const rows = await db.selectFrom('balances').selectAll().execute();
          const actual = rows.map((r) => [r.account_id, { balance: Number(r.balance), applied: r.applied }]);
          return JSON.stringify(actual.sort()) === expected ? true : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 200 },
      );
      // Every 5th movement of an account announces its balance: seq 0 and 5 of three accounts.
      await waitFor(
        'six follow-ons relayed',
        async () => ((await readTopic(kafka, admin, contracts.notices.name)).length === 6 ? true : undefined),
        { timeoutMs: 30_000, intervalMs: 300 },
      );
      const dlq = await readTopic(kafka, admin, deadLetterTopicOf(definition));
      expect(dlq.map((r) => r.headers.ce_id)).toEqual([poisonId]);

      // The operator's CLI reads the dead letter over SASL_SSL.
      const cliEnv = { ...secureEnv, DATABASE_URL: database.url };
      const listed = await node('packages/cli/src/main.ts', ['dlq', 'list', '--json'], cliEnv);
      expect(listed.code, listed.stderr).toBe(0);
      const { deadLetters } = JSON.parse(listed.stdout) as { deadLetters: { eventId: string }[] };
      expect(deadLetters.map((l) => l.eventId)).toEqual([poisonId]);

      // A wrong password and a CA that does not know the broker are named as such (their own codes),
      // not as an unreachable broker.
      const codeOf = (stdout: string) => (JSON.parse(stdout) as { error: { code: string } }).error.code;
      const wrong = await node('packages/cli/src/main.ts', ['dlq', 'list', '--json'], {
        ...cliEnv,
        KAFKA_SASL_PASSWORD_FILE: '',
        KAFKA_SASL_PASSWORD: 'wrong',
      });
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toMatch(/refused the credentials.*KAFKA_SASL_PASSWORD/);
      expect(codeOf(wrong.stdout)).toBe('KAFKA_AUTH_FAILED');
      const untrusted = await node('packages/cli/src/main.ts', ['dlq', 'list', '--json'], {
        ...cliEnv,
        KAFKA_SSL_CA_FILE: '',
      });
      expect(untrusted.code).toBe(1);
      expect(untrusted.stderr).toMatch(/TLS with Kafka .* failed.*KAFKA_SSL_CA_FILE/);
      expect(codeOf(untrusted.stdout)).toBe('KAFKA_TLS_FAILED');
    } finally {
      await runtime.stop();
      await db.destroy();
    }
  });

  it('PLAIN without TLS stops start-up with a clear message, before any connection', async () => {
    const plainText = await node('packages/cli/src/main.ts', ['status'], {
      ...secureEnv,
      DATABASE_URL: database.url,
      KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT',
      KAFKA_SASL_MECHANISM: 'plain',
      KAFKA_SSL_CA_FILE: '',
      KAFKA_SSL_CERT_FILE: '',
      KAFKA_SSL_KEY_FILE: '',
    });
    expect(plainText.code).toBe(2);
    expect(plainText.stderr).toMatch(/KAFKA_SASL_MECHANISM: plain sends the password as it is/);
  });
});
