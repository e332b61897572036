import { uniqueName, waitFor } from '@fleet/testkit';
import { describe, expect, it } from 'vitest';
import { asB, intakeHarness } from './intake-harness.ts';
import { capturedLogger } from './log-capture.ts';
import { validOrder } from './test-app.ts';

// Keys, budgets, ownership and a Redis outage, on real Kafka, registry and Redis, with two replicas.
const harness = intakeHarness();
const { intake, post } = harness;
const recordsOf = (eventId: string) => harness.recordsOf(eventId);

describe('order-intake security on real Kafka, registry and Redis', () => {
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
    expect(harness.tail.messages.filter((m) => m.key?.toString() === orderId)).toHaveLength(2);
    expect(await harness.redis.get(`${harness.prefix}order-owner:${orderId}`)).toBe('int-client-a');
  });

  it('when Redis fails: limits hold in process (logged, counted), commands answer 503; shared again once it is back', async () => {
    const own = await harness.ownRedis();
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
});
