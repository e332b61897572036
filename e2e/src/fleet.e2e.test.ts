import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { applyTopicPlan, planTopics } from '@fleet/contracts';
import { orderCatalog } from '@fleet/contracts/orders';
import {
  createTestDatabase,
  freePorts,
  infraSettings,
  readTopic,
  runToCompletion,
  type StartedBroker,
  startBroker,
  type TestDatabase,
  type TopicRecord,
  waitFor,
} from '@fleet/testkit';
import { type Oracle, oracleOf } from '@fleet/traffic-generator/oracle';
import { orderFlows } from '@fleet/traffic-generator/order-flows';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceProcess } from './service-process.ts';

const ordersPerRun = Number(process.env.E2E_ORDERS ?? 1_000);
const processors = ['inventory', 'payments', 'order_lifecycle', 'order_view', 'sales_analytics'];
const viewStatus = {
  confirmed: 'CONFIRMED',
  rejected: 'REJECTED',
  declined: 'REJECTED',
  cancelled: 'CANCELLED',
} as const;
const generator = new URL('../../services/traffic-generator/src/main.ts', import.meta.url).pathname;
// The traffic generator's intake API key; the intake holds only its hash (services/order-intake README).
const intakeKey = `oik_e2e-${randomUUID()}`;
const intakeKeyEntry = `e2e-traffic sha256:${createHash('sha256').update(intakeKey).digest('hex')}`;

// The order-fulfilment fleet, every service its own process on a broker of the test's own; traffic
// through the HTTP intake and straight to Kafka with duplicates, overtaking cancellations and bad
// records; then every projection against the oracle computed from the input alone.
describe('the order-fulfilment fleet end to end', () => {
  let broker: StartedBroker;
  let database: TestDatabase;
  let kafka: Kafka;
  let admin: Admin;
  const services = new Map<string, ServiceProcess>();
  const runs: { seed: number; oracle: Oracle }[] = [];

  beforeAll(async () => {
    // Below the ephemeral port range: a port there can be taken by any outgoing connection. The
    // broker takes two (client and controller), each service one.
    const [kafkaPort, , ...servicePorts] = await freePorts(8, 28100);
    // A broker of the test's own: the fleet's topics carry only this run's records.
    broker = await startBroker({ port: kafkaPort as number });
    database = await createTestDatabase('e2e');
    kafka = new Kafka({ clientId: 'e2e', brokers: [broker.bootstrapServers], logLevel: logLevel.NOTHING });
    admin = kafka.admin();
    await admin.connect();
    await applyTopicPlan(admin, await planTopics(admin, orderCatalog.topics()));
    const env = {
      KAFKA_BROKERS: broker.bootstrapServers,
      SCHEMA_REGISTRY_URL: infraSettings().schemaRegistryUrl,
      DATABASE_URL: database.url,
      LOG_LEVEL: 'warn',
      REDIS_URL: '',
      INTAKE_RATE_LIMIT_MAX: '1000000',
      INTAKE_IP_RATE_LIMIT_MAX: '1000000',
      INTAKE_API_KEYS: intakeKeyEntry,
      PROCESSOR_SESSION_TIMEOUT_MS: '6000',
      PROCESSOR_LAG_INTERVAL_MS: '1000',
    };
    const names = [
      'order-intake',
      'inventory',
      'payments',
      'order-lifecycle',
      'order-view',
      'sales-analytics',
    ];
    names.forEach((name, i) => {
      services.set(name, new ServiceProcess(name, servicePorts[i] as number, env));
    });
    for (const s of services.values()) s.start();
    await Promise.all([...services.values()].map((s) => s.ready()));
  }, 240_000);

  afterAll(async () => {
    if (process.env.E2E_KEEP) return console.log(`kept: ${database.url} ${broker.bootstrapServers}`);
    await Promise.all([...services.values()].map((s) => s.stop('SIGKILL')));
    await admin?.disconnect();
    await database?.drop();
    await broker?.stop();
  });

  const service = (name: string) => services.get(name) as ServiceProcess;

  /** Runs the traffic generator as upstream systems would; returns the cumulative oracle. */
  const drive = async (seed: number, during?: () => Promise<void>): Promise<Oracle> => {
    const oracleFile = join(mkdtempSync(join(tmpdir(), 'fleet-oracle-')), 'oracle.json');
    const args = [generator, '--orders', String(ordersPerRun), '--rate', '150', '--seed', String(seed)];
    // Late cancellations well after the fleet, busy with the whole run, has confirmed their orders.
    args.push('--late-cancel-delay', '10000');
    args.push(
      '--malformed',
      '2',
      '--poison',
      '2',
      '--oracle',
      oracleFile,
      '--intake-url',
      service('order-intake').url,
    );
    args.push('--brokers', broker.bootstrapServers, '--registry-url', infraSettings().schemaRegistryUrl);
    const sending = runToCompletion(process.execPath, args, {
      name: 'traffic generator',
      env: { ...process.env, INTAKE_API_KEY: intakeKey },
    });
    await during?.();
    await sending;
    const own = JSON.parse(readFileSync(oracleFile, 'utf8')) as Oracle;
    runs.push({ seed, oracle: own });
    const flows = runs.flatMap((r) => orderFlows(ordersPerRun, r.seed));
    return oracleOf(
      flows,
      runs.flatMap((r) => r.oracle.deadLetters),
    );
  };

  /** Waits until the fleet is idle and its read models equal the oracle; then checks everything else. */
  const verify = async (oracle: Oracle) => {
    let mismatches: string[] = [];
    await waitFor(
      'every read model to equal the oracle',
      async () => {
        mismatches = await readModelMismatches(oracle).catch((error: Error) => [
          `reading failed: ${error.message}`,
        ]);
        return mismatches.length === 0 ? true : undefined;
      },
      { timeoutMs: Number(process.env.E2E_SETTLE_MS ?? 240_000), intervalMs: 2_000 },
    ).catch((error: Error) => {
      const logs = [...services.values()].map((s) => `--- ${s.name}\n${s.output.slice(-3_000)}`).join('\n');
      throw new Error(`${error.message}\n${mismatches.slice(0, 20).join('\n')}\n${logs}`);
    });

    const stock = (await (await fetch(`${service('inventory').url}/stock`)).json()) as {
      items: { available: number }[];
    };
    expect(stock.items.every((i) => i.available >= 0)).toBe(true);

    // Follow-on events: after dedupe by ID, exactly one outcome per order and step.
    const byType = (records: TopicRecord[], type: string) =>
      records.filter((r) => r.headers.ce_type?.includes(`.${type}.`));
    const inventory = await readTopic(kafka, admin, 'inventory');
    const payments = await readTopic(kafka, admin, 'payments');
    const orders = await readTopic(kafka, admin, 'orders');
    for (const [records, types] of [
      [inventory, ['StockReserved', 'StockRejected']],
      [payments, ['PaymentAuthorized', 'PaymentDeclined']],
      [payments, ['VoidPayment']],
      [payments, ['PaymentVoided']],
      [orders, ['OrderConfirmed', 'OrderRejected']],
    ] as const) {
      const idsPerOrder = new Map<string, Set<string>>();
      for (const type of types)
        for (const r of byType(records, type)) {
          const ids = idsPerOrder.get(r.key ?? '') ?? new Set();
          ids.add(r.headers.ce_id ?? '');
          idsPerOrder.set(r.key ?? '', ids);
        }
      const repeated = [...idsPerOrder].filter(([, ids]) => ids.size !== 1);
      expect(repeated, `orders with more than one ${types.join('/')} event ID`).toEqual([]);
    }
    const outcomes = new Set(byType(orders, 'OrderConfirmed').map((r) => r.key));
    const confirmed = Object.entries(oracle.orders)
      .filter(([, s]) => s === 'confirmed')
      .map(([id]) => id);
    expect(confirmed.every((id) => outcomes.has(id))).toBe(true);
    // How often the race the "cancellation wins" rule settles happened in this run (timing decides).
    const revoked = Object.entries(oracle.orders).filter(([id, s]) => s === 'cancelled' && outcomes.has(id));
    console.log(`e2e: ${revoked.length} orders so far confirmed, then cancelled and compensated`);

    // A cancelled order keeps no authorisation, whenever its cancellation came: every authorised
    // payment of a cancelled order is voided (compensation runs through the outbox: waited for).
    await waitFor('authorisations of cancelled orders, and only those, voided', async () => {
      const records = await readTopic(kafka, admin, 'payments');
      const keys = (type: string) => new Set(byType(records, type).map((r) => r.key));
      const [authorized, voided] = [keys('PaymentAuthorized'), keys('PaymentVoided')];
      const wrong = Object.entries(oracle.orders).filter(
        ([id, status]) => authorized.has(id) && (status === 'cancelled') !== voided.has(id),
      );
      return wrong.length === 0 ? true : undefined;
    });

    // The bad records are in every dead-letter topic of a processor of `orders`, and nowhere else.
    for (const processor of processors) {
      const dlq = new Set((await readTopic(kafka, admin, `${processor}.dlq`)).map((r) => r.headers.ce_id));
      expect(
        oracle.deadLetters.filter((id) => !dlq.has(id)),
        `${processor}.dlq misses bad records`,
      ).toEqual([]);
    }
    const listed = (await (
      await fetch(`${service('order-view').url}/orders?limit=100&customerId=cust-poison`)
    ).json()) as {
      items: unknown[];
    };
    expect(listed.items).toEqual([]);
  };

  /** Order statuses (order-view), stock (inventory) and sales (sales-analytics) against the oracle. */
  const readModelMismatches = async (oracle: Oracle): Promise<string[]> => {
    const problems: string[] = [];
    const entries = Object.entries(oracle.orders);
    for (let i = 0; i < entries.length; i += 50) {
      await Promise.all(
        entries.slice(i, i + 50).map(async ([orderId, expected]) => {
          const res = await fetch(`${service('order-view').url}/orders/${orderId}`);
          const status = res.ok ? ((await res.json()) as { status: string }).status : `HTTP ${res.status}`;
          if (status !== viewStatus[expected])
            problems.push(`order ${orderId}: ${status}, expected ${viewStatus[expected]}`);
        }),
      );
      if (problems.length > 0) return problems;
    }
    const stock = (await (await fetch(`${service('inventory').url}/stock`)).json()) as {
      items: { sku: string; available: number }[];
    };
    for (const { sku, available } of stock.items)
      if (available !== oracle.stock[sku])
        problems.push(`stock of ${sku}: ${available}, expected ${oracle.stock[sku]}`);
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    const sales = (await (
      await fetch(`${service('sales-analytics').url}/sales?from=${day(-1)}&to=${day(1)}`)
    ).json()) as {
      rows: { sku: string; revenueCents: number; units: number }[];
    };
    const totals = new Map<string, { revenueCents: number; units: number }>();
    for (const r of sales.rows) {
      const t = totals.get(r.sku) ?? { revenueCents: 0, units: 0 };
      totals.set(r.sku, { revenueCents: t.revenueCents + r.revenueCents, units: t.units + r.units });
    }
    for (const [sku, expected] of Object.entries(oracle.sales)) {
      const actual = totals.get(sku);
      if (actual?.units !== expected.units || actual.revenueCents !== expected.revenueCents)
        problems.push(`sales of ${sku}: ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
    }
    return problems;
  };

  it('turns a few thousand flows into read models equal to the oracle', async () => {
    await verify(await drive(1));
  }, 600_000);

  it('gives the same result when a service is SIGKILLed and restarted in the middle', async () => {
    const oracle = await drive(2, async () => {
      await sleep(2_000);
      const inventory = service('inventory');
      await inventory.stop('SIGKILL');
      await sleep(1_000);
      inventory.start();
      await inventory.ready();
      const saga = service('order-lifecycle');
      await saga.stop('SIGKILL');
      saga.start();
      await saga.ready();
    });
    await verify(oracle);
  }, 600_000);
});
