import { randomUUID } from 'node:crypto';
import { serviceHttp, unreachableDatabase } from '@fleet/processor';
import { afterAll, describe, expect, it } from 'vitest';
import type { PaymentsDb } from '../payments-db.ts';
import { defaultRulesFile, loadPaymentRules } from '../rules/load-payment-rules.ts';
import { paymentRoutes } from './payment-routes.ts';

// The payment views' error answers on the server the runtime builds, with no database behind it.
describe('payments answers errors in the fleet shape', async () => {
  const db = unreachableDatabase<PaymentsDb>();
  const app = await serviceHttp(paymentRoutes(loadPaymentRules(defaultRulesFile)), db);
  afterAll(async () => {
    await app.close();
    await db.destroy();
  });

  it('a bad path parameter: 400 VALIDATION_FAILED naming it', async () => {
    const res = await app.inject('/payments/42');
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
    const res = await app.inject('/payment');
    expect([res.statusCode, res.json()]).toEqual([
      404,
      { error: { code: 'NOT_FOUND', message: 'No route GET /payment.' } },
    ]);
  });

  it('the database away: 500 "internal error", nothing of the cause', async () => {
    const res = await app.inject(`/payments/${randomUUID()}`);
    expect([res.statusCode, res.json()]).toEqual([
      500,
      { error: { code: 'INTERNAL', message: 'internal error' } },
    ]);
    expect(res.body).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|secret/);
  });
});
