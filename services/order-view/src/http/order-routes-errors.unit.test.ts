import { randomUUID } from 'node:crypto';
import { serviceHttp, unreachableDatabase } from '@fleet/processor';
import { afterAll, describe, expect, it } from 'vitest';
import type { ViewDb } from '../view-db.ts';
import { orderRoutes } from './order-routes.ts';

// The query API's error answers on the server the runtime builds, with no database behind it.
describe('order-view answers errors in the fleet shape', async () => {
  const db = unreachableDatabase<ViewDb>();
  const app = await serviceHttp(orderRoutes, db);
  afterAll(async () => {
    await app.close();
    await db.destroy();
  });

  it('a request that fails its schema: 400 VALIDATION_FAILED naming each field', async () => {
    const res = await app.inject('/orders?limit=0&colour=red');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: {
        code: 'VALIDATION_FAILED',
        message: expect.stringMatching(/^invalid querystring: /),
        details: expect.arrayContaining([
          { path: 'querystring.limit', message: expect.stringMatching(/Too small/) },
          { path: 'querystring.colour', message: 'unknown field' },
        ]),
      },
    });
    const cursor = await app.inject('/orders?cursor=xyz');
    expect(cursor.json().error).toEqual({
      code: 'VALIDATION_FAILED',
      message: 'invalid querystring: cursor: not a cursor returned by this API',
      details: [{ path: 'querystring.cursor', message: 'not a cursor returned by this API' }],
    });
  });

  it('an unknown route: 404 NOT_FOUND', async () => {
    const res = await app.inject('/orderz');
    expect([res.statusCode, res.json()]).toEqual([
      404,
      { error: { code: 'NOT_FOUND', message: 'No route GET /orderz.' } },
    ]);
  });

  it('the database away: 500 "internal error", nothing of the cause', async () => {
    const res = await app.inject(`/orders/${randomUUID()}`);
    expect([res.statusCode, res.json()]).toEqual([
      500,
      { error: { code: 'INTERNAL', message: 'internal error' } },
    ]);
    expect(res.body).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|secret/);
  });
});
