import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { envelopeToHeaders, newEnvelope } from '@fleet/contracts';
import { OrderCancelled, OrderPlaced, ordersTopic } from '@fleet/contracts/orders';
import type { FleetProducer } from '@fleet/producer';
import type { Producer } from 'kafkajs';
import { type OrderFlow, totalCents } from './order-flows.ts';

export interface TrafficSenderDeps {
  intakeUrl: string;
  /** The intake's API key for this client (sent as X-Api-Key). */
  apiKey: string;
  /** The SDK upstream systems use: validated, encoded, CloudEvents headers, idempotent producer. */
  producer: FleetProducer;
  /** A plain kafkajs producer for the records the SDK would (rightly) refuse to send. */
  raw: Producer;
  /** How long after its order a `later` cancellation is sent. */
  lateCancelDelayMs: number;
}

/** Sends order flows as upstream systems would: through the HTTP intake or straight to Kafka. */
export class TrafficSender {
  readonly #d: TrafficSenderDeps;
  /** `later` cancellations waiting for their time; not counted against the sender's in-flight limit. */
  readonly #later = new Set<Promise<void>>();

  constructor(deps: TrafficSenderDeps) {
    this.#d = deps;
  }

  async send(flow: OrderFlow): Promise<void> {
    if (flow.cancel === 'overtake') await this.#cancel(flow);
    await this.#place(flow);
    if (flow.cancel === 'after') await this.#cancel(flow);
    if (flow.cancel === 'later') {
      const later = sleep(this.#d.lateCancelDelayMs)
        .then(() => this.#cancel(flow))
        .finally(() => this.#later.delete(later));
      this.#later.add(later);
    }
  }

  /** Waits for the `later` cancellations still due (a failure is thrown, as for any other send). */
  async drain(): Promise<void> {
    await Promise.all(this.#later);
  }

  async #place(flow: OrderFlow): Promise<void> {
    const body = {
      orderId: flow.orderId,
      customerId: flow.customerId,
      lines: flow.lines,
      currency: flow.currency,
    };
    if (flow.via === 'intake') {
      const key = `place-${flow.orderId}`;
      for (let i = 0; i < (flow.duplicate ? 2 : 1); i++) await this.#post('/orders', body, key);
      return;
    }
    const id = randomUUID();
    const data = { ...body, totalCents: totalCents(flow.lines), placedAt: new Date().toISOString() };
    for (let i = 0; i < (flow.duplicate ? 2 : 1); i++)
      await this.#d.producer.publish(OrderPlaced, data, { id });
  }

  async #cancel(flow: OrderFlow): Promise<void> {
    const reason =
      flow.cancel === 'overtake'
        ? 'cancelled before the order arrived'
        : flow.cancel === 'later'
          ? 'changed my mind after ordering'
          : 'changed my mind';
    if (flow.via === 'intake')
      await this.#post(`/orders/${flow.orderId}/cancel`, { reason }, `cancel-${flow.orderId}`);
    else
      await this.#d.producer.publish(OrderCancelled, {
        orderId: flow.orderId,
        reason,
        cancelledAt: new Date().toISOString(),
      });
  }

  /** POST with retries on 429/503 (the intake's rate limit and back-pressure say when to come back). */
  async #post(path: string, body: unknown, idempotencyKey: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const res = await fetch(`${this.#d.intakeUrl}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'idempotency-key': idempotencyKey,
          'x-api-key': this.#d.apiKey,
        },
        body: JSON.stringify(body),
      });
      if (res.status === 202) return;
      if ((res.status === 429 || res.status === 503 || res.status === 409) && attempt < 30) {
        const wait = Number(res.headers.get('retry-after') ?? '1');
        await new Promise((r) => setTimeout(r, Math.min(wait, 5) * 1000));
        continue;
      }
      throw new Error(`intake answered ${res.status} to POST ${path}: ${await res.text()}`);
    }
  }

  /** Bytes that are not the wire format at all, under valid CloudEvents headers. Returns the event ID. */
  async sendMalformed(): Promise<string> {
    const envelope = newEnvelope({ type: OrderPlaced.type, source: '/fleet/traffic-generator' });
    await this.#d.raw.send({
      topic: ordersTopic.name,
      acks: -1,
      messages: [
        {
          key: randomUUID(),
          value: Buffer.from('{"this is": not the wire format'),
          headers: envelopeToHeaders(envelope),
        },
      ],
    });
    return envelope.id;
  }

  /** A well-framed record whose payload breaks the schema (a negative quantity). Returns the event ID. */
  async sendPoison(): Promise<string> {
    const envelope = newEnvelope({ type: OrderPlaced.type, source: '/fleet/traffic-generator' });
    const orderId = randomUUID();
    const payload = {
      orderId,
      customerId: 'cust-poison',
      lines: [{ sku: 'SKU-009', quantity: -5, unitPrice: 100 }],
      totalCents: -500,
      currency: 'EUR',
      placedAt: new Date().toISOString(),
    };
    const prefix = Buffer.alloc(5);
    prefix.writeInt32BE(this.#d.producer.codec.schemaIdOf(OrderPlaced), 1);
    await this.#d.raw.send({
      topic: ordersTopic.name,
      acks: -1,
      messages: [
        {
          key: orderId,
          value: Buffer.concat([prefix, Buffer.from(JSON.stringify(payload))]),
          headers: envelopeToHeaders(envelope),
        },
      ],
    });
    return envelope.id;
  }
}
