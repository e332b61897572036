import { randomUUID } from 'node:crypto';
import { serviceHttp, unreachableDatabase } from '@fleet/processor';
import { afterAll, describe, expect, it } from 'vitest';
import type { InventoryDb } from '../inventory-db.ts';
import { stockRoutes } from './stock-routes.ts';

// The stock views' error answers on the server the runtime builds, with no database behind it.
describe('inventory answers errors in the fleet shape', async () => {
  const db = unreachableDatabase<InventoryDb>();
  const app = await serviceHttp(stockRoutes, db);
  afterAll(async () => {
    await app.close();
    await db.destroy();
  });

  it('a bad path parameter: 400 VALIDATION_FAILED naming it', async () => {
    const res = await app.inject('/reservations/not-a-uuid');
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
    const sku = await app.inject(`/stock/${'S'.repeat(65)}`);
    expect(sku.json().error.details).toEqual([{ path: 'params.sku', message: 'must be 1 to 64 characters' }]);
  });

  it('an unknown route: 404 NOT_FOUND', async () => {
    const res = await app.inject({ method: 'POST', url: '/stock' });
    expect([res.statusCode, res.json()]).toEqual([
      404,
      { error: { code: 'NOT_FOUND', message: 'No route POST /stock.' } },
    ]);
  });

  it('the database away: 500 "internal error", nothing of the cause', async () => {
    for (const url of ['/stock', '/stock/SKU-1', `/reservations/${randomUUID()}`]) {
      const res = await app.inject(url);
      expect([res.statusCode, res.json()], url).toEqual([
        500,
        { error: { code: 'INTERNAL', message: 'internal error' } },
      ]);
      expect(res.body).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|secret/);
    }
  });
});
