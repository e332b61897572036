import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  OrderPlaced,
  OrderPlacedV1,
  PaymentAuthorized,
  PaymentDeclined,
  PaymentVoided,
  StockReserved,
  VoidPayment,
} from '@fleet/contracts/orders';
import { event, type ProcessorSpec, ProcessorSpec as Spec, type SpecOutcome } from '@fleet/processor';
import { createTestDatabase, infraSettings, type TestDatabase } from '@fleet/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { paymentIdOf } from '../src/handlers/decide-payment.ts';
import type { PaymentsDb } from '../src/payments-db.ts';
import { paymentsProcessor } from '../src/processor.ts';
import { defaultRulesFile, loadPaymentRules, rulesFileFrom } from '../src/rules/load-payment-rules.ts';
import type { PaymentRules } from '../src/rules/payment-rules-schema.ts';
import { paidOrder } from './payments-world.ts';

// Payments' decisions, given/when/then on real PostgreSQL and the registry, without Kafka
// (ProcessorSpec runs the same decode → dedupe → handlers → outbox path). What needs the broker
// (the dead-letter topic, the outcome on the wire) stays in payments.int.test.ts.
describe('payments behaviour', () => {
  let database: TestDatabase | undefined;
  let spec: ProcessorSpec<PaymentsDb> | undefined;

  afterEach(async () => {
    await spec?.close();
    await database?.drop();
    spec = undefined;
    database = undefined;
  });

  async function payments(rules: PaymentRules = loadPaymentRules(defaultRulesFile)) {
    database = await createTestDatabase('payments_spec');
    spec = await Spec.start(paymentsProcessor(rules), {
      databaseUrl: database.url,
      registryUrl: infraSettings().schemaRegistryUrl,
      events: [OrderPlacedV1],
    });
    return spec;
  }
  const paymentOf = (orderId: string) =>
    spec?.db.selectFrom('payments').selectAll().where('order_id', '=', orderId).executeTakeFirst();
  const outcomes = (outcome: SpecOutcome, orderId: string) =>
    outcome.published
      .filter((p) => p.key === orderId)
      .map((p) => ({
        type:
          p.type === PaymentAuthorized.type
            ? 'authorized'
            : p.type === PaymentDeclined.type
              ? 'declined'
              : p.type,
        ...(p.data as object),
      }));

  it('publishes the outcome of each rule, and records each decision with the rule that fired', async () => {
    const s = await payments();
    const cases = [
      { order: paidOrder('cust-1', 3448), decision: 'authorized', reason: 'default', code: null },
      {
        order: paidOrder('cust-2', 500001),
        decision: 'declined',
        reason: 'amount-limit',
        code: 'INSUFFICIENT_FUNDS',
      },
      {
        order: paidOrder('fraud-7', 100),
        decision: 'declined',
        reason: 'flagged-customer',
        code: 'FRAUD_SUSPECTED',
      },
      {
        order: paidOrder('cust-666', 100),
        decision: 'declined',
        reason: 'flagged-customer',
        code: 'FRAUD_SUSPECTED',
      },
      {
        order: paidOrder('cust-3', 100, 'JPY'),
        decision: 'declined',
        reason: 'currency-not-allowed',
        code: 'PROVIDER_ERROR',
      },
    ];
    // A v1 order (EUR implied) is read upcast.
    const v1 = paidOrder('cust-4', 250);
    const { currency: _, ...v1Placed } = v1.placed;
    const outcome = await s.when(
      ...cases.map(({ order }) => event(OrderPlaced, order.placed)),
      event(OrderPlacedV1, v1Placed),
      ...[...cases.map((c) => c.order), v1].map((order) => event(StockReserved, order.reserved)),
    );
    for (const { order, decision, reason, code } of cases) {
      const found = outcomes(outcome, order.orderId);
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({
        type: decision,
        amountCents: order.placed.totalCents,
        currency: order.placed.currency,
        ...(code ? { reason: code } : { paymentId: paymentIdOf(order.orderId) }),
      });
      expect(await paymentOf(order.orderId)).toMatchObject({
        decision,
        reason,
        decline_code: code,
        amount: String(order.placed.totalCents),
        currency: order.placed.currency,
      });
    }
    expect(outcomes(outcome, v1.orderId)).toMatchObject([
      { type: 'authorized', currency: 'EUR', amountCents: 250 },
    ]);
    const res = await (await s.http()).inject(`/payments/${cases[1]?.order.orderId}`);
    expect(res.json()).toMatchObject({ decision: 'declined', reason: 'amount-limit' });
  });

  it('decides when the reservation comes before the order, and only once for a repeated StockReserved', async () => {
    const s = await payments();
    const early = paidOrder('cust-5', 1200);
    const twice = paidOrder('cust-6', 1300);
    const first = await s.when(event(StockReserved, early.reserved));
    expect(first.published).toEqual([]);
    expect(await paymentOf(early.orderId)).toBeUndefined();
    const pending = await (await s.http()).inject(`/payments/${early.orderId}`);
    expect(pending.json()).toMatchObject({ decision: 'pending', waitingFor: ['OrderPlaced'] });

    const outcome = await s.when(
      event(OrderPlaced, early.placed),
      event(OrderPlaced, twice.placed),
      event(StockReserved, twice.reserved, { id: 'reserved-once' }),
      event(StockReserved, twice.reserved, { id: 'reserved-once' }), // redelivered
      event(StockReserved, twice.reserved), // re-sent under a new event ID
    );
    expect(outcomes(outcome, early.orderId)).toMatchObject([{ type: 'authorized', amountCents: 1200 }]);
    expect(outcomes(outcome, twice.orderId)).toMatchObject([{ type: 'authorized', amountCents: 1300 }]);
    const rows = await s.db.selectFrom('payments').select('order_id').execute();
    expect(rows.filter((r) => r.order_id === twice.orderId)).toHaveLength(1);
  });

  it('voids an authorisation once on VoidPayment; one it cannot carry out is dead-lettered with the reason', async () => {
    const s = await payments();
    const paid = paidOrder('cust-10', 2100);
    const declined = paidOrder('fraud-10', 2100);
    await s.given(
      ...[paid, declined].flatMap((o) => [event(OrderPlaced, o.placed), event(StockReserved, o.reserved)]),
    );
    const paymentId = paymentIdOf(paid.orderId);
    const command = {
      orderId: paid.orderId,
      paymentId,
      reason: 'ORDER_CANCELLED' as const,
      requestedAt: new Date().toISOString(),
    };
    const outcome = await s.when(
      event(VoidPayment, command),
      event(VoidPayment, command), // re-sent under a new event ID
      event(
        VoidPayment,
        { ...command, orderId: declined.orderId, paymentId: paymentIdOf(declined.orderId) },
        { id: 'impossible-void' },
      ),
    );
    expect(outcome.published.filter((p) => p.type === PaymentVoided.type).map((p) => p.data)).toMatchObject([
      { paymentId, amountCents: 2100, currency: 'EUR' },
    ]);
    expect(await paymentOf(paid.orderId)).toMatchObject({
      decision: 'authorized',
      void_reason: 'ORDER_CANCELLED',
    });
    const res = await (await s.http()).inject(`/payments/${paid.orderId}`);
    expect(res.json()).toMatchObject({ decision: 'authorized', voidReason: 'ORDER_CANCELLED' });
    // The declined order has no authorisation to void.
    expect(outcome.deadLettered.map((d) => d.id)).toEqual(['impossible-void']);
    expect(String(outcome.deadLettered[0]?.error)).toMatch(
      /cannot void payment pay-\S+ of order \S+: the order's payment is pay-\S+, declined/,
    );
  });

  it('changes its decisions with a different rules file, without a code change', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'payments-rules-'));
    const file = join(dir, 'strict-rules.json');
    writeFileSync(
      file,
      JSON.stringify({
        description: 'strict: nothing above 10.00, and EUR only',
        rules: [
          {
            name: 'strict-limit',
            priority: 10,
            conditions: { all: [{ fact: 'totalCents', operator: 'greaterThan', value: 1000 }] },
            event: { type: 'decline', params: { code: 'INSUFFICIENT_FUNDS' } },
          },
          {
            name: 'eur-only',
            priority: 20,
            conditions: { not: { fact: 'currency', operator: 'equal', value: 'EUR' } },
            event: { type: 'decline', params: { code: 'PROVIDER_ERROR' } },
          },
        ],
      }),
    );
    // What main does: PAYMENTS_RULES_FILE names the file.
    const s = await payments(loadPaymentRules(rulesFileFrom({ PAYMENTS_RULES_FILE: file })));
    const big = paidOrder('cust-7', 5000); // the shipped rules authorize it
    const usd = paidOrder('cust-8', 500, 'USD'); // so does this one
    const fraud = paidOrder('fraud-9', 500); // no flagged list in these rules
    const outcome = await s.when(
      ...[big, usd, fraud].flatMap((o) => [event(OrderPlaced, o.placed), event(StockReserved, o.reserved)]),
    );
    expect(outcomes(outcome, big.orderId)).toMatchObject([
      { type: 'declined', reason: 'INSUFFICIENT_FUNDS' },
    ]);
    expect(outcomes(outcome, usd.orderId)).toMatchObject([{ type: 'declined', reason: 'PROVIDER_ERROR' }]);
    expect(outcomes(outcome, fraud.orderId)).toMatchObject([{ type: 'authorized' }]);
    expect(await paymentOf(big.orderId)).toMatchObject({ reason: 'strict-limit' });
    expect(await paymentOf(usd.orderId)).toMatchObject({ reason: 'eur-only' });
  });
});
