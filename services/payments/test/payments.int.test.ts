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
import { defaultRulesFile, loadPaymentRules, PaymentRulesError } from '../src/rules/load-payment-rules.ts';
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

// What needs the broker: the outcome on the wire and the dead-letter topic. The decisions themselves
// (every rule, early reservations, duplicates, voids, another rules file) are given/when/then tests
// on ProcessorSpec in payments-behaviour.int.test.ts.
describe('payments on real Kafka, registry and Postgres', () => {
  it('publishes its decisions and voids on the payments topic; a void it cannot carry out goes to the DLQ', async () => {
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
    expect(outcomeOf(paid.orderId)).toMatchObject([{ type: 'authorized', amountCents: 2100 }]);
    expect(outcomeOf(declined.orderId)).toMatchObject([{ type: 'declined', reason: 'FRAUD_SUSPECTED' }]);
    const paymentId = paymentIdOf(paid.orderId);
    const requestedAt = new Date().toISOString();
    const sent = [
      await producer.publish(VoidPayment, {
        orderId: paid.orderId,
        paymentId,
        reason: 'ORDER_CANCELLED',
        requestedAt,
      }),
    ];
    const impossible = await producer.publish(VoidPayment, {
      orderId: declined.orderId,
      paymentId: paymentIdOf(declined.orderId),
      reason: 'ORDER_CANCELLED',
      requestedAt,
    });
    await world.processed(sent);
    await tap.outcomes([paid.orderId], [PaymentVoided]);
    expect(tap.of(PaymentVoided, paid.orderId).map((e) => e.data)).toMatchObject([
      { paymentId, amountCents: 2100, currency: 'EUR' },
    ]);

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

  it('refuses a rules file that is not JSON, with the file and the problem', () => {
    const dir = mkdtempSync(join(tmpdir(), 'payments-rules-'));
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{ "rules": [ ');
    expect(() => loadPaymentRules(file)).toThrow(PaymentRulesError);
    expect(() => loadPaymentRules(file)).toThrow(/broken\.json are invalid:\n {2}- not valid JSON/);
  });
});
