import { serviceHttp, unreachableDatabase } from '@fleet/processor';
import { afterAll, describe, expect, it } from 'vitest';
import type { SalesDb } from '../sales-db.ts';
import { salesRoutes } from './sales-routes.ts';

// The sales query's error answers on the server the runtime builds, with no database behind it.
describe('sales-analytics answers errors in the fleet shape', async () => {
  const db = unreachableDatabase<SalesDb>();
  const app = await serviceHttp(salesRoutes, db);
  afterAll(async () => {
    await app.close();
    await db.destroy();
  });

  it('a bad query: 400 VALIDATION_FAILED naming every field', async () => {
    const res = await app.inject('/sales?from=2031-05-02&region=eu');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: {
        code: 'VALIDATION_FAILED',
        message: 'invalid querystring: to: is required; region: unknown field',
        details: [
          { path: 'querystring.to', message: 'is required' },
          { path: 'querystring.region', message: 'unknown field' },
        ],
      },
    });
  });

  it('an unknown route: 404 NOT_FOUND', async () => {
    const res = await app.inject('/sales/2031');
    expect([res.statusCode, res.json()]).toEqual([
      404,
      { error: { code: 'NOT_FOUND', message: 'No route GET /sales/2031.' } },
    ]);
  });

  it('the database away: 500 "internal error", nothing of the cause', async () => {
    const res = await app.inject('/sales?from=2031-05-01&to=2031-05-02');
    expect([res.statusCode, res.json()]).toEqual([
      500,
      { error: { code: 'INTERNAL', message: 'internal error' } },
    ]);
    expect(res.body).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|secret/);
  });
});
