import { randomUUID } from 'node:crypto';
import type { ProcessorDefinition, ProcessorRuntime } from '@fleet/processor';
import {
  createTestDatabase,
  kyselyFor,
  type TestDatabase,
  testKafka,
  topicSize,
  waitFor,
} from '@fleet/testkit';
import type { Admin } from 'kafkajs';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The CLI depends on neither: the service packages' own contracts and test kit, by path.
import { inventoryTopic, OrderPlaced, ordersTopic, paymentsTopic } from '../../contracts/src/orders/index.ts';
import {
  connectTestProducer,
  ensureOrderTopics,
  startServiceRuntime,
} from '../../order-testkit/src/index.ts';
import type { ProcessorStatus } from '../src/commands/status-command.ts';
import { ExitCode } from '../src/exit-codes.ts';
import { loadProcessorDefinition } from '../src/processor-definition.ts';
import { fleet } from './cli-harness.ts';

// Every processor of the fleet, operated by name through the CLI against the real broker, registry and
// PostgreSQL: the definitions come from the service packages' `fleet.processor` entries (payments'
// is a factory), exactly as `fleet rebuild <name>` finds them. One small backlog on the file's own topics.
const processors = ['inventory', 'payments', 'order_lifecycle', 'order_view', 'sales_analytics'];
const orders = 6;

describe('fleet pause/resume, rebuild and replay of every processor of the fleet, by name', () => {
  const kafka = testKafka('cli-fleet');
  let admin: Admin;
  let database: TestDatabase;
  let db: Kysely<unknown>;
  let producer: Awaited<ReturnType<typeof connectTestProducer>> | undefined;
  const definitions = new Map<string, ProcessorDefinition<unknown>>();
  const runtimes = new Map<string, ProcessorRuntime<unknown>>();
  // Groups of this file's namespace, not the processors' plain names (the demo's groups).
  const groupOf = (name: string) => `${process.env.FLEET_TOPIC_PREFIX}${name}`;
  const run = (...argv: string[]) => fleet(argv, { databaseUrl: database.url });

  const start = async (name: string) => {
    const definition = definitions.get(name) as ProcessorDefinition<unknown>;
    runtimes.set(
      name,
      await startServiceRuntime(definition, { databaseUrl: database.url, groupId: groupOf(name) }),
    );
  };
  const applied = async (name: string) => {
    const { rows } = await sql<{
      n: number;
    }>`select count(*)::int as n from ${sql.table(`${name}.processed_events`)}`.execute(db);
    return rows[0]?.n ?? 0;
  };
  const topicsOf = (name: string) => [
    ...new Set(definitions.get(name)?.routes.map((r) => r.event.topic.name)),
  ];
  const topicSizes = async () =>
    Promise.all([ordersTopic, inventoryTopic, paymentsTopic].map((t) => topicSize(admin, t.name)));
  /** Every processor caught up (lag 0) with an empty outbox, as `fleet status` sees it. */
  const settled = () =>
    waitFor(
      'every processor caught up with an empty outbox',
      async () => {
        const status = await run('status', '--json');
        const all = status.json<{ processors: ProcessorStatus[] }>().processors;
        const ready = processors.every((name) => {
          const p = all.find((s) => s.processor === name);
          return p?.lag.total === 0 && p.outbox?.count === 0 && p.instances.alive === 1;
        });
        return ready ? all : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 500 },
    );

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
    await ensureOrderTopics(admin);
    database = await createTestDatabase('cli_fleet');
    db = kyselyFor(database.url);
    for (const name of processors) definitions.set(name, await loadProcessorDefinition(name, { env: {} }));
    await Promise.all(processors.map(start));
    producer = await connectTestProducer('/test/cli-fleet', [OrderPlaced]);
    for (let i = 0; i < orders; i++)
      await producer.publish(OrderPlaced, {
        orderId: randomUUID(),
        customerId: `cust-${i}`,
        lines: [{ sku: 'SKU-009', quantity: 1, unitPrice: 1000 + i }],
        totalCents: 1000 + i,
        currency: 'EUR',
        placedAt: new Date().toISOString(),
      });
    // The saga confirmed every order: OrderPlaced + OrderConfirmed each on orders.
    await waitFor('every order confirmed', async () =>
      (await topicSize(admin, ordersTopic.name)) === 2 * orders ? true : undefined,
    );
    await settled();
  }, 180_000);
  afterAll(async () => {
    await producer?.disconnect();
    await Promise.all([...runtimes.values()].map((r) => r.stop()));
    await db?.destroy();
    await admin?.disconnect();
    await database?.drop();
  });

  it.each(processors)('%s: pause and resume, acknowledged by its instance', async (name) => {
    const paused = await run('pause', name, '--timeout', '20s', '--json');
    expect(paused.code, paused.stderr).toBe(ExitCode.ok);
    expect(paused.json()).toMatchObject({
      processor: name,
      groupId: groupOf(name),
      paused: true,
      pending: [],
    });
    expect(runtimes.get(name)?.paused).toBe(true);
    const resumed = await run('resume', name, '--timeout', '20s', '--json');
    expect(resumed.code, resumed.stderr).toBe(ExitCode.ok);
    expect(resumed.json()).toMatchObject({ paused: false, pending: [] });
    expect(runtimes.get(name)?.paused).toBe(false);
  });

  // Each processor's rebuild or replay waits mostly for consumer groups to form: all at once.
  it('rebuilds every processor side by side from its topics, switches and finalizes', async () => {
    const rebuild = async (name: string) => {
      const before = await applied(name);
      expect(before, name).toBeGreaterThan(0);
      const records = (await Promise.all(topicsOf(name).map((t) => topicSize(admin, t)))).reduce(
        (a, b) => a + b,
        0,
      );
      const rebuilt = await run('rebuild', name, '--json');
      expect(rebuilt.code, `${name}: ${rebuilt.stderr}`).toBe(ExitCode.ok);
      expect(rebuilt.json(), name).toMatchObject({
        events: records,
        schema: name,
        keptAs: `${name}__previous`,
      });
      // The new version applied what the old one had; the live instance reads and writes it now.
      expect(await applied(name), name).toBe(before);
      const finalized = await run('rebuild', name, '--finalize');
      expect(finalized.code, `${name}: ${finalized.stderr}`).toBe(ExitCode.ok);
      await waitFor(`${name} resumed after its switch`, () =>
        runtimes.get(name)?.paused === false ? true : undefined,
      );
    };
    // The first rebuild in a database creates fleet.rebuilds (`create table if not exists`, which
    // two sessions racing fail with a duplicate pg_type row): one alone, then the other four at once.
    await rebuild('inventory');
    await Promise.all(processors.filter((name) => name !== 'inventory').map(rebuild));
  });

  it('replays every processor from earliest once stopped; restarted, each re-reads and re-applies nothing', async () => {
    await Promise.all(
      processors.map(async (name) => {
        const refused = await run('replay', name, '--from', 'earliest');
        expect(refused.code, `${name} replayed while running`).toBe(ExitCode.refused);
      }),
    );
    await Promise.all(processors.map((name) => runtimes.get(name)?.stop()));
    runtimes.clear();
    const counts = await Promise.all(processors.map(applied));
    const sizes = await topicSizes();
    await Promise.all(
      processors.map(async (name) => {
        const replayed = await run('replay', name, '--from', 'earliest', '--json');
        expect(replayed.code, `${name}: ${replayed.stderr}`).toBe(ExitCode.ok);
        expect(replayed.json(), name).toMatchObject({
          processor: name,
          groupId: groupOf(name),
          partial: false,
        });
        for (const offsets of await admin.fetchOffsets({ groupId: groupOf(name), topics: topicsOf(name) }))
          expect(
            offsets.partitions.map((p) => p.offset),
            `${name} ${offsets.topic}`,
          ).toEqual(offsets.partitions.map(() => '0'));
      }),
    );

    await Promise.all(processors.map(start));
    await settled(); // lag 0: each read its topics again from offset 0
    expect(await Promise.all(processors.map(applied))).toEqual(counts);
    // Duplicates by ID: nothing applied twice, no follow-on published twice.
    expect(await topicSizes()).toEqual(sizes);
  });
});
