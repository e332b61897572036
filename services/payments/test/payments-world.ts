import { randomUUID } from 'node:crypto';
import type { EventData } from '@fleet/contracts';
import {
  inventoryTopic,
  type OrderPlaced,
  ordersTopic,
  paymentsTopic,
  type StockReserved,
} from '@fleet/contracts/orders';
import { startGroupAtEnd, startServiceRuntime, waitForProcessed } from '@fleet/order-testkit';
import { createTestDatabase, kyselyFor, uniqueName } from '@fleet/testkit';
import type { Admin, Kafka } from 'kafkajs';
import type { Kysely } from 'kysely';
import type { PaymentsDb } from '../src/payments-db.ts';
import { paymentsProcessor } from '../src/processor.ts';
import type { PaymentRules } from '../src/rules/payment-rules-schema.ts';

type Db = PaymentsDb & { processed_events: { event_id: string } };

/** One payments instance for one test: its own database, consumer group (at the topics' ends) and rules. */
export async function startPayments(kafka: Kafka, admin: Admin, rules: PaymentRules) {
  const database = await createTestDatabase('payments');
  const groupId = uniqueName('payments');
  await startGroupAtEnd(kafka, admin, groupId, [ordersTopic.name, inventoryTopic.name, paymentsTopic.name]);
  const runtime = await startServiceRuntime(paymentsProcessor(rules), { databaseUrl: database.url, groupId });
  const db = kyselyFor<Db>(database.url).withSchema('payments');
  return {
    runtime,
    db,
    async paymentOf(orderId: string) {
      return await db.selectFrom('payments').selectAll().where('order_id', '=', orderId).executeTakeFirst();
    },
    /** Waits until the runtime has applied these event IDs (recorded in the same transaction). */
    processed: (eventIds: string[]) => waitForProcessed(db, eventIds),
    async stop(): Promise<void> {
      await runtime.stop();
      await (db as unknown as Kysely<Db>).destroy();
      await database.drop();
    },
  };
}

export type PaymentsWorld = Awaited<ReturnType<typeof startPayments>>;

/** An order of the given total, and the reservation inventory would publish for it. */
export function paidOrder(customerId: string, totalCents: number, currency = 'EUR') {
  const orderId = randomUUID();
  const placed: EventData<typeof OrderPlaced> = {
    orderId,
    customerId,
    lines: [{ sku: 'SKU-009', quantity: 1, unitPrice: totalCents }],
    totalCents,
    currency,
    placedAt: new Date().toISOString(),
  };
  const reserved: EventData<typeof StockReserved> = {
    orderId,
    reservationId: `res-${orderId}`,
    warehouse: 'AMS-1',
    lines: [{ sku: 'SKU-009', quantity: 1 }],
    reservedAt: new Date().toISOString(),
  };
  return { orderId, placed, reserved };
}
