import { EventCodec, type EventType, envelopeFromHeaders } from '@fleet/contracts';
import { orderEvents } from '@fleet/contracts/orders';
import { infraSettings, uniqueName, waitFor } from '@fleet/testkit';
import type { Admin, Consumer, Kafka } from 'kafkajs';
import { startGroupAtEnd } from './order-topics.ts';

export interface TappedEvent {
  id: string;
  type: string;
  topic: string;
  key: string | null;
  causationId: string | undefined;
  data: unknown;
}

/** Reads the fleet's topics from "now" on and keeps every decoded event, to assert what was published. */
export class EventTap {
  readonly events: TappedEvent[] = [];
  readonly #consumer: Consumer;

  private constructor(consumer: Consumer) {
    this.#consumer = consumer;
  }

  static async start(kafka: Kafka, admin: Admin, topics: string[]): Promise<EventTap> {
    const codec = new EventCodec({ registryUrl: infraSettings().schemaRegistryUrl, events: orderEvents });
    const groupId = uniqueName('tap');
    await startGroupAtEnd(kafka, admin, groupId, topics);
    const consumer = kafka.consumer({ groupId });
    const tap = new EventTap(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        if (!message.value) return;
        try {
          const envelope = envelopeFromHeaders(message.headers);
          const { data } = await codec.decodeAny(message.value);
          tap.events.push({
            id: envelope.id,
            type: envelope.type,
            topic,
            key: message.key?.toString() ?? null,
            causationId: envelope.causationId,
            data,
          });
        } catch {
          // Not an event of this fleet (or another test's garbage): not ours to assert on.
        }
      },
    });
    return tap;
  }

  /** Events of one type about one order (the key is the order ID). */
  of<T>(eventType: EventType<T>, orderId: string): { id: string; data: T }[] {
    return this.events
      .filter((e) => e.type === eventType.type && e.key === orderId)
      .map((e) => ({ id: e.id, data: e.data as T }));
  }

  /** Waits until each order has at least one event of the given types; returns them per order. */
  async outcomes(
    orderIds: string[],
    types: EventType[],
    timeoutMs = 60_000,
  ): Promise<Map<string, TappedEvent[]>> {
    const wanted = new Set(types.map((t) => t.type));
    return await waitFor(
      `${types.map((t) => t.name).join('/')} for ${orderIds.length} orders`,
      () => {
        const byOrder = new Map<string, TappedEvent[]>();
        for (const e of this.events)
          if (e.key && wanted.has(e.type) && orderIds.includes(e.key))
            byOrder.set(e.key, [...(byOrder.get(e.key) ?? []), e]);
        return byOrder.size === orderIds.length ? byOrder : undefined;
      },
      { timeoutMs, intervalMs: 100 },
    );
  }

  async stop(): Promise<void> {
    await this.#consumer.disconnect();
  }
}
