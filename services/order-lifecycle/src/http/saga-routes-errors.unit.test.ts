import { randomUUID } from 'node:crypto';
import { serviceHttp, unreachableDatabase } from '@fleet/processor';
import { afterAll, describe, expect, it } from 'vitest';
import type { LifecycleDb } from '../lifecycle-db.ts';
import { sagaRoutes } from './saga-routes.ts';

// The saga views' error answers on the server the runtime builds, with no database behind it.
describe('order-lifecycle answers errors in the fleet shape', async () => {
  const db = unreachableDatabase<LifecycleDb>();
  const app = await serviceHttp(sagaRoutes, db);
  afterAll(async () => {
    await app.close();
    await db.destroy();
  });

  it('a bad path parameter: 400 VALIDATION_FAILED naming it', async () => {
    const res = await app.inject('/sagas/not-a-uuid');
    expect([res.statusCode, res.json()]).toEqual([
      400,
      {
        error: {
          code: 'VALIDATION_FAILED',
          message: 'invalid params: orderId: must be a UUID',
          details: [{ path: 'params.orderId', message: 'must be a UUID' }],
        },
      },
    ]);
  });

  it('an unknown route: 404 NOT_FOUND', async () => {
    const res = await app.inject('/saga');
    expect([res.statusCode, res.json()]).toEqual([
      404,
      { error: { code: 'NOT_FOUND', message: 'No route GET /saga.' } },
    ]);
  });

  it('the database away: 500 "internal error", nothing of the cause', async () => {
    for (const url of [`/sagas/${randomUUID()}`, '/anomalies']) {
      const res = await app.inject(url);
      expect([res.statusCode, res.json()], url).toEqual([
        500,
        { error: { code: 'INTERNAL', message: 'internal error' } },
      ]);
      expect(res.body).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|secret/);
    }
  });
});
