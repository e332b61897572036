import http from 'node:http';
import {
  applyTopicPlan,
  EventCodec,
  envelopeFromHeaders,
  OrderCancelled,
  OrderPlaced,
  orderEvents,
  ordersTopic,
  planTopics,
  storableTextMessages,
} from '@fleet/contracts';
import { infraSettings, testKafka, uniqueName, waitFor } from '@fleet/testkit';
import { Redis } from 'ioredis';
import type { Admin } from 'kafkajs';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey, newApiKey } from '../src/auth/api-key.ts';
import { loadConfig } from '../src/config.ts';
import type { Logger } from '../src/logger.ts';
import { type RunningIntake, startIntake } from '../src/start-intake.ts';
import { capturedLogger } from './log-capture.ts';
import { OpenApiContract } from './openapi-contract.ts';
import { OwnRedis } from './own-redis.ts';
import { validOrder } from './test-app.ts';
import { TopicTail } from './topic-tail.ts';

const { kafkaBrokers, schemaRegistryUrl } = infraSettings();
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `${uniqueName('order-intake-test')}:`;
const silent = pino({ level: 'silent' });
const kafka = testKafka('order-intake-test');

let admin: Admin;
let tail: TopicTail;
let redis: Redis;
const codec = new EventCodec({ registryUrl: schemaRegistryUrl, events: orderEvents });
const started: RunningIntake[] = [];
const ownRedis: OwnRedis[] = [];

// Fresh keys each run, issued the way an operator does: the intake only sees their hashes.
const keyA = newApiKey();
const keyB = newApiKey();
const asA = { 'x-api-key': keyA };
const asB = { 'x-api-key': keyB };
const apiKeys = `int-client-a ${hashApiKey(keyA)}; int-client-b ${hashApiKey(keyB)}`;

/** An intake as main.ts runs it (real producer, Redis, HTTP on a free port), with test settings. */
async function intake(env: Record<string, string> = {}, logger: Logger = silent): Promise<RunningIntake> {
  const config = loadConfig({
    KAFKA_BROKERS: kafkaBrokers.join(','),
    SCHEMA_REGISTRY_URL: schemaRegistryUrl,
    REDIS_URL: redisUrl,
    INTAKE_REDIS_PREFIX: prefix,
    INTAKE_API_KEYS: apiKeys,
    HTTP_PORT: '0',
    LOG_LEVEL: 'silent',
    ...env,
  });
  const running = await startIntake(config, logger);
  started.push(running);
  return running;
}

/** POST as client A unless the headers say otherwise. */
async function post(base: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...asA, ...headers },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    headers: response.headers,
    // A success body, or the fleet's error body (`error` read only on error answers).
    body: (await response.json()) as Record<string, unknown> & {
      error?: { code: string; message: string; details?: unknown };
    },
  };
}

const recordsOf = async (eventId: string, atLeast = 1) =>
  waitFor(
    `record with ce_id ${eventId}`,
    () => {
      const found = tail.withHeader('ce_id', eventId);
      return found.length >= atLeast ? found : undefined;
    },
    { timeoutMs: 20_000 },
  );

beforeAll(async () => {
  redis = new Redis(redisUrl);
  admin = kafka.admin();
  await admin.connect();
  await applyTopicPlan(admin, await planTopics(admin, [ordersTopic]));
  tail = await TopicTail.start(kafka, admin, ordersTopic.name);
});

afterAll(async () => {
  await Promise.allSettled(started.map((s) => s.stop()));
  await Promise.allSettled(ownRedis.map((r) => r.stop()));
  await tail?.stop();
  await admin?.disconnect();
  // Leave nothing behind in the shared Redis.
  if (!redis) return;
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

describe('order-intake on real Kafka, registry and Redis', () => {
  it('is ready once Kafka, the registry and Redis answer', async () => {
    const { url } = await intake();
    const response = await fetch(`${url}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      checks: { kafka: { ok: true }, registry: { ok: true }, redis: { ok: true } },
    });
  });

  it('placing an order publishes a decodable OrderPlaced v2 with CloudEvents headers', async () => {
    const { url } = await intake();
    const res = await post(url, '/orders', validOrder, { 'x-correlation-id': 'checkout-int-1' });
    expect(res.status).toBe(202);
    const { orderId, eventId } = res.body as { orderId: string; eventId: string };
    const [record] = await recordsOf(eventId);
    expect(record?.key?.toString()).toBe(orderId);
    const env = envelopeFromHeaders(record?.headers);
    expect(env).toMatchObject({
      id: eventId,
      type: OrderPlaced.type,
      source: '/fleet/order-intake',
      specversion: '1.0',
      subject: orderId,
      correlationId: 'checkout-int-1',
      contentType: 'application/json',
    });
    expect(await codec.decode(record?.value as Buffer, OrderPlaced, { type: env.type })).toMatchObject({
      ...validOrder,
      orderId,
      totalCents: 3448,
      placedAt: expect.any(String),
    });
  });

  it('cancelling publishes OrderCancelled keyed by the order', async () => {
    const { url } = await intake();
    const orderId = crypto.randomUUID();
    const res = await post(url, `/orders/${orderId}/cancel`, { reason: 'Ordered by mistake' });
    expect(res.status).toBe(202);
    const [record] = await recordsOf(res.body.eventId as string);
    expect(record?.key?.toString()).toBe(orderId);
    expect(envelopeFromHeaders(record?.headers).type).toBe(OrderCancelled.type);
    expect(await codec.decode(record?.value as Buffer, OrderCancelled)).toMatchObject({
      orderId,
      reason: 'Ordered by mistake',
    });
  });

  it('the same Idempotency-Key on two replicas gives one event ID and one record; another body is 409', async () => {
    const a = await intake();
    const b = await intake();
    const key = { 'idempotency-key': crypto.randomUUID() };
    const first = await post(a.url, '/orders', validOrder, key);
    const second = await post(b.url, '/orders', validOrder, key);
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    const conflict = await post(b.url, '/orders', { ...validOrder, currency: 'USD' }, key);
    expect(conflict.status).toBe(409);
    expect(conflict.body.error?.code).toBe('IDEMPOTENCY_KEY_REUSED');

    await recordsOf(first.body.eventId as string);
    // A marker published after both requests: once it is read, anything they produced has been read too.
    const marker = await post(a.url, '/orders', { ...validOrder, orderId: first.body.orderId });
    await recordsOf(marker.body.eventId as string);
    expect(tail.withHeader('ce_id', first.body.eventId as string)).toHaveLength(1);
  });

  it('an invalid body is a 400 listing the fields, and nothing is published', async () => {
    const { url } = await intake();
    const customerId = uniqueName('invalid-customer');
    const orderId = crypto.randomUUID();
    const res = await post(url, '/orders', {
      orderId,
      customerId,
      lines: [{ sku: '', quantity: -1 }],
      currency: 'EUR',
    });
    expect(res.status).toBe(400);
    expect(res.body.error?.code).toBe('VALIDATION_FAILED');
    expect(((res.body.error?.details ?? []) as { path: string }[]).map((i) => i.path).sort()).toEqual([
      'body.lines.0.quantity',
      'body.lines.0.sku',
      'body.lines.0.unitPrice',
    ]);
    // Same order ID, now valid: it must be the only record keyed by it.
    const ok = await post(url, '/orders', { ...validOrder, orderId });
    await recordsOf(ok.body.eventId as string);
    expect(tail.messages.filter((m) => m.key?.toString() === orderId)).toHaveLength(1);
  });

  it('strings no downstream consumer can store are a 400 naming field and rule; nothing is published or reserved', async () => {
    const { url } = await intake();
    const orderId = crypto.randomUUID();
    const key = { 'idempotency-key': crypto.randomUUID() };
    const poisoned = await post(
      url,
      '/orders',
      {
        ...validOrder,
        orderId,
        customerId: '\u0000',
        lines: [{ sku: 'BOOK-\uD83D', quantity: 1, unitPrice: 1299 }],
      },
      key,
    );
    expect(poisoned.status).toBe(400);
    expect(poisoned.body.error?.code).toBe('VALIDATION_FAILED');
    expect(poisoned.body.error?.details).toEqual([
      { path: 'body.customerId', message: 'must not contain the NUL character (U+0000)' },
      { path: 'body.lines.0.sku', message: storableTextMessages.loneSurrogate(0xd83d) },
    ]);
    const cancel = await post(url, `/orders/${orderId}/cancel`, { reason: 'oops\u0000' });
    expect(cancel.status).toBe(400);
    expect(cancel.body.error?.details).toEqual([{ path: 'body.reason', message: storableTextMessages.nul }]);
    const control = await post(url, `/orders/${orderId}/cancel`, { reason: '\u001b[2Joops' });
    expect(control.body.error?.details).toEqual([
      { path: 'body.reason', message: storableTextMessages.control(0x1b) },
    ]);

    // The key was not taken by the refused request: the corrected one is accepted with it, not a 409.
    const ok = await post(url, '/orders', { ...validOrder, orderId }, key);
    expect(ok.status).toBe(202);
    await recordsOf(ok.body.eventId as string);
    // Read after the refused requests: the valid one is the only record keyed by the order.
    expect(tail.messages.filter((m) => m.key?.toString() === orderId)).toHaveLength(1);
  });

  it('two replicas on one Redis share one rate limit per verified client; other key values buy nothing', async () => {
    const env = { INTAKE_RATE_LIMIT_MAX: '3', INTAKE_RATE_LIMIT_WINDOW: '1m' };
    const a = await intake(env);
    const b = await intake(env);
    const invalid = {}; // counted like any request, publishes nothing
    const statuses = [
      (await post(a.url, '/orders', invalid)).status,
      (await post(b.url, '/orders', invalid)).status,
      (await post(a.url, '/orders', invalid)).status,
    ];
    expect(statuses).toEqual([400, 400, 400]);
    const limited = await post(b.url, '/orders', invalid);
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    // A new header value is not a new bucket: it is an unknown key.
    const evading = await post(b.url, '/orders', invalid, { 'x-api-key': uniqueName('client') });
    expect(evading.status).toBe(401);
    expect(evading.body).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    // Another client has its own budget.
    expect((await post(b.url, '/orders', invalid, asB)).status).toBe(400);
    const metrics = await (await fetch(`${b.url}/metrics`)).text();
    expect(metrics).toMatch(/intake_auth_failures_total\{reason="unknown"\} 1/);
  });

  it('order ownership and idempotency scopes hold across replicas', async () => {
    const a = await intake();
    const b = await intake();
    const key = { 'idempotency-key': crypto.randomUUID() };
    const placed = await post(a.url, '/orders', validOrder, key);
    expect(placed.status).toBe(202);
    const orderId = placed.body.orderId as string;
    // B, on the other replica, with the same Idempotency-Key: its own order, not A's answer.
    const ofB = await post(b.url, '/orders', validOrder, { ...key, ...asB });
    expect(ofB.status).toBe(202);
    expect(ofB.body.orderId).not.toBe(orderId);
    expect(ofB.headers.get('idempotent-replayed')).toBeNull();
    // B cannot cancel A's order, nor place one under its ID; A can cancel it.
    const foreign = await post(b.url, `/orders/${orderId}/cancel`, { reason: 'not mine' }, asB);
    expect(foreign.status).toBe(403);
    expect(foreign.body.error?.code).toBe('FORBIDDEN');
    expect((await post(b.url, '/orders', { ...validOrder, orderId }, asB)).status).toBe(409);
    const own = await post(b.url, `/orders/${orderId}/cancel`, { reason: 'changed my mind' });
    expect(own.status).toBe(202);
    const [record] = await recordsOf(own.body.eventId as string);
    expect(record?.headers?.['intake-client-id']?.toString()).toBe('int-client-a');
    // Nothing published for B's refused commands: A's place and cancel are the only records of the order.
    expect(tail.messages.filter((m) => m.key?.toString() === orderId)).toHaveLength(2);
    expect(await redis.get(`${prefix}order-owner:${orderId}`)).toBe('int-client-a');
  });

  it('when Redis fails: limits hold in process (logged, counted), commands answer 503; shared again once it is back', async () => {
    const own = await OwnRedis.start();
    ownRedis.push(own);
    const log = capturedLogger();
    const running = await intake({ REDIS_URL: own.url, INTAKE_RATE_LIMIT_MAX: '3' }, log.logger);
    const metric = async (name: string) => {
      const text = await (await fetch(`${running.url}/metrics`)).text();
      return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
    };
    expect((await post(running.url, '/orders', {})).status).toBe(400);
    await own.stop();

    // Every request is still counted: a fourth in the window is refused, as with Redis.
    const invalid = [];
    for (let i = 0; i < 4; i++) invalid.push((await post(running.url, '/orders', {})).status);
    expect(invalid).toEqual([400, 400, 400, 429]);
    // Ownership and idempotency cannot be decided without Redis: nothing is published.
    const order = await post(running.url, '/orders', validOrder, asB);
    expect(order.status).toBe(503);
    expect(order.body.error?.code).toBe('UNAVAILABLE');
    // Five requests, each decided twice (the address floor, the client's budget), all in process.
    expect(await metric('intake_rate_limit_local_decisions_total')).toBe(10);
    expect(await metric('intake_rate_limit_degraded')).toBe(1);
    expect((await fetch(`${running.url}/readyz`)).status).toBe(503);
    const outage = log.entries().filter((e) => String(e.msg).startsWith('Redis failed: rate limits'));
    expect(outage).toHaveLength(1);
    expect(outage[0]?.level).toBe(50);

    await own.start();
    await waitFor('the intake to reconnect to Redis', async () =>
      (await fetch(`${running.url}/readyz`)).status === 200 ? true : undefined,
    );
    const back = await post(running.url, '/orders', validOrder, asB);
    expect(back.status).toBe(202);
    expect(await metric('intake_rate_limit_degraded')).toBe(0);
    expect(await metric('intake_rate_limit_local_decisions_total')).toBe(10);
    expect(log.entries().some((e) => String(e.msg).startsWith('Redis answers again'))).toBe(true);
  });

  it('contract: real 202, 400, 409 and 429 responses match the served OpenAPI document', async () => {
    const { url } = await intake({ INTAKE_RATE_LIMIT_MAX: '4' });
    const doc = await (await fetch(`${url}/openapi.json`)).json();
    const contract = new OpenApiContract(doc);
    const client = asB;
    const key = { ...client, 'idempotency-key': crypto.randomUUID() };
    const orderId = crypto.randomUUID();
    const seen = [
      ['/orders', await post(url, '/orders', validOrder, key)],
      ['/orders', await post(url, '/orders', { ...validOrder, lines: [{}] }, client)],
      ['/orders', await post(url, '/orders', { ...validOrder, customerId: 'other' }, key)],
      ['/orders/{orderId}/cancel', await post(url, `/orders/${orderId}/cancel`, { reason: 'x' }, client)],
      ['/orders/{orderId}/cancel', await post(url, `/orders/${orderId}/cancel`, { reason: 'x' }, client)],
    ] as const;
    expect(seen.map(([, r]) => r.status)).toEqual([202, 400, 409, 202, 429]);
    for (const [path, r] of seen) expect(contract.check('POST', path, r.status, r.body)).toEqual([]);
  });

  it('stops gracefully: an in-flight request finishes and publishes, new connections are refused', async () => {
    const running = await intake();
    const body = JSON.stringify(validOrder);
    const received = new Promise((resolve) => running.app.server.once('request', resolve));
    // Headers now, body later: the request is in flight on the server when the stop begins.
    const request = http.request(`${running.url}/orders`, {
      method: 'POST',
      agent: false,
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        ...asA,
      },
    });
    const answered = new Promise<{ status: number; body: string }>((resolve, reject) => {
      request.on('response', (response) => {
        let text = '';
        response.on('data', (chunk) => {
          text += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
      });
      request.on('error', reject);
    });
    request.write(body.slice(0, 10));
    await received;
    const stopping = running.stop();
    await new Promise((r) => setTimeout(r, 100));
    request.end(body.slice(10));
    const res = await answered;
    await stopping;
    expect(res.status).toBe(202);
    await recordsOf(JSON.parse(res.body).eventId);
    await expect(fetch(`${running.url}/healthz`)).rejects.toThrow();
  });
});
