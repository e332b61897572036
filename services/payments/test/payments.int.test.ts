import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  OrderPlaced,
  OrderPlacedV1,
  PaymentAuthorized,
  PaymentDeclined,
  PaymentVoided,
  paymentsTopic,
  StockReserved,
  VoidPayment,
} from '@fleet/contracts/orders';
import { connectTestProducer, EventTap, ensureOrderTopics } from '@fleet/order-testkit';
import { deadLetterHeaders, deadLetterTopicOf } from '@fleet/processor';
import { batchItem, type FleetProducer } from '@fleet/producer';
import { readTopic, testKafka, waitFor } from '@fleet/testkit';
import type { Admin } from 'kafkajs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { paymentIdOf } from '../src/handlers/decide-payment.ts';
import {
  defaultRulesFile,
  loadPaymentRules,
  PaymentRulesError,
  rulesFileFrom,
} from '../src/rules/load-payment-rules.ts';
import { type PaymentsWorld, paidOrder, startPayments } from './payments-world.ts';

const kafka = testKafka('payments-test');
let admin: Admin;
let producer: FleetProducer;
let tap: EventTap;
let world: PaymentsWorld | undefined;

beforeAll(async () => {
  admin = kafka.admin();
  await admin.connect();
  await ensureOrderTopics(admin);
  producer = await connectTestProducer('/test/payments', [
    OrderPlaced,
    OrderPlacedV1,
    StockReserved,
    VoidPayment,
  ]);
  tap = await EventTap.start(kafka, admin, [paymentsTopic.name]);
});
afterAll(async () => {
  await tap?.stop();
  await producer?.disconnect();
  await admin?.disconnect();
});
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

const outcomeOf = (orderId: string) => [
  ...tap.of(PaymentAuthorized, orderId).map((e) => ({ type: 'authorized', ...e.data })),
  ...tap.of(PaymentDeclined, orderId).map((e) => ({ type: 'declined', ...e.data })),
];

describe('payments on real Kafka, registry and Postgres', () => {
  it('publishes the outcome of each rule, and records each decision with the rule that fired', async () => {
    world = await startPayments(kafka, admin, loadPaymentRules(defaultRulesFile));
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
    await producer.publishBatch([
      ...cases.map(({ order }) => batchItem(OrderPlaced, order.placed)),
      batchItem(OrderPlacedV1, v1Placed),
      ...[...cases.map((c) => c.order), v1].map((order) => batchItem(StockReserved, order.reserved)),
    ]);

    const orderIds = [...cases.map((c) => c.order.orderId), v1.orderId];
    await tap.outcomes(orderIds, [PaymentAuthorized, PaymentDeclined]);
    for (const { order, decision, reason, code } of cases) {
      const outcome = outcomeOf(order.orderId);
      expect(outcome).toHaveLength(1);
      expect(outcome[0]).toMatchObject({
        type: decision,
        amountCents: order.placed.totalCents,
        currency: order.placed.currency,
        ...(code ? { reason: code } : { paymentId: paymentIdOf(order.orderId) }),
      });
      expect(await world.paymentOf(order.orderId)).toMatchObject({
        decision,
        reason,
        decline_code: code,
        amount: String(order.placed.totalCents),
        currency: order.placed.currency,
      });
    }
    expect(outcomeOf(v1.orderId)).toMatchObject([{ type: 'authorized', currency: 'EUR', amountCents: 250 }]);

    const res = await fetch(`${world.runtime.httpAddress}/payments/${cases[1]?.order.orderId}`);
    expect(await res.json()).toMatchObject({ decision: 'declined', reason: 'amount-limit' });
  });

  it('decides when the reservation comes before the order, and only once for a repeated StockReserved', async () => {
    world = await startPayments(kafka, admin, loadPaymentRules(defaultRulesFile));
    const early = paidOrder('cust-5', 1200);
    const twice = paidOrder('cust-6', 1300);
    const eventId = randomUUID();
    const first = await producer.publish(StockReserved, early.reserved);
    await world.processed([first]);
    expect(await world.paymentOf(early.orderId)).toBeUndefined();
    const pending = await fetch(`${world.runtime.httpAddress}/payments/${early.orderId}`);
    expect(await pending.json()).toMatchObject({ decision: 'pending', waitingFor: ['OrderPlaced'] });

    const sent = [
      await producer.publish(OrderPlaced, early.placed),
      await producer.publish(OrderPlaced, twice.placed),
      await producer.publish(StockReserved, twice.reserved, { id: eventId }),
      await producer.publish(StockReserved, twice.reserved, { id: eventId }), // redelivered
      await producer.publish(StockReserved, twice.reserved), // re-sent under a new event ID
    ];
    await world.processed(sent);
    await tap.outcomes([early.orderId, twice.orderId], [PaymentAuthorized, PaymentDeclined]);
    // The outbox publishes asynchronously: give a wrongly repeated follow-on time to show up.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(outcomeOf(early.orderId)).toMatchObject([{ type: 'authorized', amountCents: 1200 }]);
    expect(outcomeOf(twice.orderId)).toMatchObject([{ type: 'authorized', amountCents: 1300 }]);
    const rows = await world.db.selectFrom('payments').select('order_id').execute();
    expect(rows.filter((r) => r.order_id === twice.orderId)).toHaveLength(1);
  });

  it('voids an authorisation once on VoidPayment; a command it cannot carry out goes to the DLQ', async () => {
    const payments = await startPayments(kafka, admin, loadPaymentRules(defaultRulesFile));
    world = payments;
    const paid = paidOrder('cust-10', 2100);
    const declined = paidOrder('fraud-10', 2100);
    await producer.publishBatch(
      [paid, declined].flatMap((o) => [
        batchItem(OrderPlaced, o.placed),
        batchItem(StockReserved, o.reserved),
      ]),
    );
    await tap.outcomes([paid.orderId, declined.orderId], [PaymentAuthorized, PaymentDeclined]);
    const paymentId = paymentIdOf(paid.orderId);
    const command = { orderId: paid.orderId, paymentId, reason: 'ORDER_CANCELLED' as const };
    const requestedAt = new Date().toISOString();
    const sent = [
      await producer.publish(VoidPayment, { ...command, requestedAt }),
      await producer.publish(VoidPayment, { ...command, requestedAt }), // re-sent under a new event ID
    ];
    const impossible = await producer.publish(VoidPayment, {
      orderId: declined.orderId,
      paymentId: paymentIdOf(declined.orderId),
      reason: 'ORDER_CANCELLED',
      requestedAt,
    });
    await world.processed(sent);
    await tap.outcomes([paid.orderId], [PaymentVoided]);
    // The outbox publishes asynchronously: give a wrongly repeated follow-on time to show up.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(tap.of(PaymentVoided, paid.orderId).map((e) => e.data)).toMatchObject([
      { paymentId, amountCents: 2100, currency: 'EUR' },
    ]);
    expect(await world.paymentOf(paid.orderId)).toMatchObject({
      decision: 'authorized',
      void_reason: 'ORDER_CANCELLED',
    });
    const res = await fetch(`${world.runtime.httpAddress}/payments/${paid.orderId}`);
    expect(await res.json()).toMatchObject({ decision: 'authorized', voidReason: 'ORDER_CANCELLED' });

    // The declined order has no authorisation to void: the command is dead-lettered with the reason.
    const letter = await waitFor('the impossible VoidPayment in the DLQ', async () => {
      const dlq = await readTopic(kafka, admin, deadLetterTopicOf(payments.runtime.definition));
      return dlq.find((d) => d.headers.ce_id === impossible);
    });
    expect(letter.headers[deadLetterHeaders.errorMessage]).toMatch(
      /cannot void payment pay-\S+ of order \S+: the order's payment is pay-\S+, declined/,
    );
    expect(tap.of(PaymentVoided, declined.orderId)).toHaveLength(0);
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
    world = await startPayments(kafka, admin, loadPaymentRules(rulesFileFrom({ PAYMENTS_RULES_FILE: file })));
    const big = paidOrder('cust-7', 5000); // the shipped rules authorize it
    const usd = paidOrder('cust-8', 500, 'USD'); // so does this one
    const fraud = paidOrder('fraud-9', 500); // no flagged list in these rules
    const orders = [big, usd, fraud];
    await producer.publishBatch(
      orders.flatMap((o) => [batchItem(OrderPlaced, o.placed), batchItem(StockReserved, o.reserved)]),
    );
    await tap.outcomes(
      orders.map((o) => o.orderId),
      [PaymentAuthorized, PaymentDeclined],
    );
    expect(outcomeOf(big.orderId)).toMatchObject([{ type: 'declined', reason: 'INSUFFICIENT_FUNDS' }]);
    expect(outcomeOf(usd.orderId)).toMatchObject([{ type: 'declined', reason: 'PROVIDER_ERROR' }]);
    expect(outcomeOf(fraud.orderId)).toMatchObject([{ type: 'authorized' }]);
    expect(await world.paymentOf(big.orderId)).toMatchObject({ reason: 'strict-limit' });
    expect(await world.paymentOf(usd.orderId)).toMatchObject({ reason: 'eur-only' });
  });

  it('refuses a rules file that is not JSON, with the file and the problem', () => {
    const dir = mkdtempSync(join(tmpdir(), 'payments-rules-'));
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{ "rules": [ ');
    expect(() => loadPaymentRules(file)).toThrow(PaymentRulesError);
    expect(() => loadPaymentRules(file)).toThrow(/broken\.json are invalid:\n {2}- not valid JSON/);
  });
});
