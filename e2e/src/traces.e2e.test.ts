import { createHash, randomUUID } from 'node:crypto';
import { applyTopicPlan, planTopics } from '@fleet/contracts';
import { orderCatalog } from '@fleet/contracts/orders';
import {
  createTestDatabase,
  freePorts,
  infraSettings,
  type StartedBroker,
  startBroker,
  type TestDatabase,
  waitFor,
} from '@fleet/testkit';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PrivateZipkin, startPrivateZipkin, type ZipkinSpan } from './private-zipkin.ts';
import { ServiceProcess } from './service-process.ts';

// One trace per business flow, read back from a real Zipkin: every service as its own process with
// OTEL_TRACES_EXPORTER=zipkin, orders placed (and one cancelled once confirmed) through the intake,
// then each flow's trace checked span by span: one trace ID across the six services, every event's
// `process` span a child of the `send` span of the record it read, no span whose parent is missing.
const names = ['order-intake', 'inventory', 'payments', 'order-lifecycle', 'order-view', 'sales-analytics'];
// The intake API key the test calls with; the intake holds only its hash.
const intakeKey = `oik_e2e-${randomUUID()}`;
// Zipkin's service names: `service.name`, which is each processor's declared name.
const zipkinNames = [
  'order-intake',
  'inventory',
  'payments',
  'order_lifecycle',
  'order_view',
  'sales_analytics',
];

describe('one trace per flow, from the HTTP request to the last projection, in Zipkin', () => {
  let broker: StartedBroker;
  let zipkin: PrivateZipkin;
  let database: TestDatabase;
  let admin: Admin;
  const services = new Map<string, ServiceProcess>();
  const service = (name: string) => services.get(name) as ServiceProcess;

  beforeAll(async () => {
    const [kafkaPort, , zipkinPort, ...servicePorts] = await freePorts(9, 28400);
    [broker, zipkin] = await Promise.all([
      startBroker({ port: kafkaPort as number }),
      startPrivateZipkin(zipkinPort as number),
    ]);
    database = await createTestDatabase('e2e_traces');
    const kafka = new Kafka({
      clientId: 'e2e-traces',
      brokers: [broker.bootstrapServers],
      logLevel: logLevel.NOTHING,
    });
    admin = kafka.admin();
    await admin.connect();
    await applyTopicPlan(admin, await planTopics(admin, orderCatalog.topics()));
    const env = {
      KAFKA_BROKERS: broker.bootstrapServers,
      SCHEMA_REGISTRY_URL: infraSettings().schemaRegistryUrl,
      DATABASE_URL: database.url,
      LOG_LEVEL: 'warn',
      REDIS_URL: '',
      INTAKE_API_KEYS: `e2e-traces sha256:${createHash('sha256').update(intakeKey).digest('hex')}`,
      PROCESSOR_SESSION_TIMEOUT_MS: '6000',
      PROCESSOR_LAG_INTERVAL_MS: '1000',
      OTEL_TRACES_EXPORTER: 'zipkin',
      OTEL_EXPORTER_ZIPKIN_ENDPOINT: zipkin.spansEndpoint,
      OTEL_BSP_SCHEDULE_DELAY: '200',
    };
    names.forEach((name, i) => {
      // The intake logs every request at info: its lines show the trace IDs next to the correlation ID.
      const own = name === 'order-intake' ? { ...env, LOG_LEVEL: 'info' } : env;
      services.set(name, new ServiceProcess(name, servicePorts[i] as number, own));
    });
    const started = performance.now();
    for (const s of services.values()) s.start();
    await Promise.all([...services.values()].map((s) => s.ready()));
    console.log(`traces e2e: six services ready in ${Math.round(performance.now() - started)} ms`);
  }, 300_000);

  afterAll(async () => {
    await Promise.all([...services.values()].map((s) => s.stop('SIGTERM')));
    await admin?.disconnect();
    await database?.drop();
    await Promise.all([zipkin?.stop(), broker?.stop()]);
  });

  const post = async (path: string, body: unknown, correlationId: string) => {
    const response = await fetch(`${service('order-intake').url}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-correlation-id': correlationId,
        'x-api-key': intakeKey,
      },
      body: JSON.stringify(body),
    });
    expect(response.status, await response.clone().text()).toBe(202);
  };
  const orderStatus = async (orderId: string) => {
    const response = await fetch(`${service('order-view').url}/orders/${orderId}`);
    return response.ok ? ((await response.json()) as { status: string }).status : `HTTP ${response.status}`;
  };
  const placeOrder = async (orderId: string, correlationId: string) => {
    await post(
      '/orders',
      {
        orderId,
        customerId: 'cust-trace',
        lines: [
          { sku: 'SKU-009', quantity: 1, unitPrice: 1_250 },
          { sku: 'SKU-019', quantity: 2, unitPrice: 400 },
        ],
        currency: 'EUR',
      },
      correlationId,
    );
    await waitFor(`order ${orderId} confirmed`, async () =>
      (await orderStatus(orderId)) === 'CONFIRMED' ? true : undefined,
    );
  };

  const tag = (span: ZipkinSpan, name: string) => span.tags?.[name];
  // Zipkin lower-cases span names: the event type is read from the span's tag.
  const eventTypeOf = (s: ZipkinSpan) => tag(s, 'cloudevents.event_type')?.split('.').at(-2);
  const isQuery = (s: ZipkinSpan) => (tag(s, 'db.system.name') ?? tag(s, 'db.system')) === 'postgresql';
  const isEventSpan = (s: ZipkinSpan) =>
    s.kind === 'CONSUMER' &&
    s.name.startsWith('process ') &&
    tag(s, 'messaging.batch.message_count') === undefined;

  /**
   * The flow's one trace, once it is complete: every record sent in it read by someone in it (every
   * event reaches order-view), all six services there, and nothing more arriving for a while.
   */
  const flowTrace = async (correlationId: string): Promise<ZipkinSpan[]> => {
    let last = '';
    let spans: ZipkinSpan[] = [];
    let traceIds: string[] = [];
    await waitFor(
      `the complete trace of flow ${correlationId} in Zipkin`,
      async () => {
        const traces = await zipkin.traces(`fleet.correlation_id=${correlationId}`);
        traceIds = traces.map((t) => t[0]?.traceId ?? '');
        if (traceIds.length > 1) return true; // split over several traces: fails below
        const [traceId] = traceIds;
        if (!traceId) return undefined;
        spans = await zipkin.trace(traceId);
        const sends = spans.filter((s) => s.kind === 'PRODUCER');
        const read = new Set(spans.filter(isEventSpan).map((s) => s.parentId));
        const here = new Set(spans.map((s) => s.localEndpoint?.serviceName));
        const complete = zipkinNames.every((n) => here.has(n)) && sends.every((s) => read.has(s.id));
        const signature = spans
          .map((s) => s.id)
          .sort()
          .join();
        const settled = complete && signature === last;
        last = signature;
        return settled ? true : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 1_500 },
    );
    // Every span that carries the flow's correlation ID, of whichever service, is in this one trace.
    expect(traceIds, `traces with spans of flow ${correlationId}`).toHaveLength(1);
    return spans;
  };

  /** What every flow's trace must satisfy; returns a summary for the log. */
  const checkFlow = (spans: ZipkinSpan[], correlationId: string) => {
    const byId = new Map(spans.map((s) => [s.id, s]));
    const traceIds = new Set(spans.map((s) => s.traceId));
    expect(traceIds.size, 'one trace ID').toBe(1);
    expect(new Set(spans.map((s) => s.localEndpoint?.serviceName))).toEqual(new Set(zipkinNames));

    // The root: the intake's HTTP request, the flow's correlation ID on it.
    const roots = spans.filter((s) => !s.parentId);
    expect(roots.map((s) => [s.localEndpoint?.serviceName, s.kind])).toEqual([['order-intake', 'SERVER']]);
    expect(tag(roots[0] as ZipkinSpan, 'fleet.correlation_id')).toBe(correlationId);
    // No orphans: every parent is in the trace.
    const orphans = spans.filter((s) => s.parentId && !byId.has(s.parentId));
    expect(
      orphans.map((s) => `${s.localEndpoint?.serviceName}: ${s.name}`),
      'spans with a missing parent',
    ).toEqual([]);

    // Each event's process span is a child of the send span of the record it read (same event ID).
    const eventSpans = spans.filter(isEventSpan);
    for (const span of eventSpans) {
      const parent = byId.get(span.parentId ?? '');
      const where = `${span.localEndpoint?.serviceName}: ${span.name}`;
      expect(parent?.kind, `${where} is a child of a send span`).toBe('PRODUCER');
      expect(parent?.name.startsWith('send '), where).toBe(true);
      expect(tag(parent as ZipkinSpan, 'messaging.message.id'), where).toBe(
        tag(span, 'messaging.message.id'),
      );
      expect(tag(span, 'fleet.correlation_id'), where).toBe(correlationId);
    }
    // Each send span is the intake's (under its HTTP request) or a relay's (under the event that caused it).
    for (const send of spans.filter((s) => s.kind === 'PRODUCER')) {
      const parent = byId.get(send.parentId ?? '');
      if (send.localEndpoint?.serviceName === 'order-intake') expect(parent?.kind).toBe('SERVER');
      else expect(parent && isEventSpan(parent), `${send.name} follows an event span`).toBe(true);
    }
    // The handlers' queries are children of their event's span (per-event handlers).
    for (const span of eventSpans.filter((s) => s.tags?.['fleet.batch.span_id'] === undefined)) {
      const queries = spans.filter((s) => s.parentId === span.id && isQuery(s));
      expect(
        queries.length,
        `${span.localEndpoint?.serviceName}: ${span.name} has database spans`,
      ).toBeGreaterThan(0);
    }
    const count = (kind: string) => spans.filter((s) => s.kind === kind).length;
    return {
      spans: spans.length,
      events: eventSpans.length,
      sends: count('PRODUCER'),
      queries: spans.filter(isQuery).length,
      perService: Object.fromEntries(
        zipkinNames.map((n) => [n, spans.filter((s) => s.localEndpoint?.serviceName === n).length]),
      ),
    };
  };

  it('a confirmed order: one trace from POST /orders to order-view and sales-analytics', async () => {
    const orderId = randomUUID();
    const correlationId = `trace-confirmed-${orderId.slice(0, 8)}`;
    const started = performance.now();
    await placeOrder(orderId, correlationId);
    const spans = await flowTrace(correlationId);
    const summary = checkFlow(spans, correlationId);
    console.log(
      `traces e2e: confirmed order, trace complete in Zipkin ${Math.round(performance.now() - started)} ms after the POST:`,
      JSON.stringify(summary),
    );
    // The event types the flow's services read, as Zipkin shows them.
    const read = (service: string) =>
      spans
        .filter((s) => isEventSpan(s) && s.localEndpoint?.serviceName === service)
        .map(eventTypeOf)
        .sort();
    expect(read('inventory')).toEqual(['OrderPlaced']);
    expect(read('payments')).toEqual(['OrderPlaced', 'StockReserved']);
    expect(read('order_lifecycle')).toEqual(['OrderPlaced', 'PaymentAuthorized', 'StockReserved']);
    expect(read('sales_analytics')).toEqual(['OrderConfirmed', 'OrderPlaced']);
    expect(read('order_view')).toEqual(
      ['OrderConfirmed', 'OrderPlaced', 'PaymentAuthorized', 'StockReserved'].sort(),
    );

    // Logs and traces join: the intake's lines of this request carry its trace and span IDs.
    const traceId = spans[0]?.traceId;
    const lines = service('order-intake')
      .output.split('\n')
      .filter((l) => l.includes(correlationId))
      .map((l) => JSON.parse(l) as { trace_id?: string; span_id?: string; msg: string });
    const published = lines.find((l) => l.msg === 'event published');
    expect(published?.trace_id).toBe(traceId);
    expect(spans.some((s) => s.id === published?.span_id)).toBe(true);
  }, 180_000);

  it('an order cancelled once confirmed: the cancellation is one trace across all six services', async () => {
    const orderId = randomUUID();
    await placeOrder(orderId, `trace-placed-${orderId.slice(0, 8)}`);
    const correlationId = `trace-cancelled-${orderId.slice(0, 8)}`;
    const started = performance.now();
    await post(`/orders/${orderId}/cancel`, { reason: 'changed my mind' }, correlationId);
    await waitFor(`order ${orderId} cancelled`, async () =>
      (await orderStatus(orderId)) === 'CANCELLED' ? true : undefined,
    );
    const spans = await flowTrace(correlationId);
    const summary = checkFlow(spans, correlationId);
    console.log(
      `traces e2e: cancelled-after-confirmation, trace complete in Zipkin ${Math.round(performance.now() - started)} ms after the POST:`,
      JSON.stringify(summary),
    );
    const types = new Set(spans.filter(isEventSpan).map(eventTypeOf));
    // The compensation runs inside the cancellation's trace: stock released, payment voided.
    for (const type of ['OrderCancelled', 'ReleaseStock', 'VoidPayment', 'PaymentVoided'])
      expect(types).toContain(type);
  }, 180_000);
});
