import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { ContractDefinitionError } from './contract-errors.ts';
import { defineEvent } from './define-event.ts';
import { defineTopic } from './define-topic.ts';
import { namespacedTopicName, topicPrefixFrom } from './topic-namespace.ts';

describe('FLEET_TOPIC_PREFIX: the fleet’s topics in a namespace of their own', () => {
  const before = process.env.FLEET_TOPIC_PREFIX;
  afterEach(() => {
    if (before === undefined) delete process.env.FLEET_TOPIC_PREFIX;
    else process.env.FLEET_TOPIC_PREFIX = before;
    vi.resetModules();
  });

  it('names every order topic, its subjects and the producer’s destinations from the variable', async () => {
    process.env.FLEET_TOPIC_PREFIX = 'test_abc.';
    vi.resetModules();
    const orders = await import('./orders/index.ts');
    expect(orders.orderCatalog.topics().map((t) => t.name)).toEqual([
      'test_abc.orders',
      'test_abc.inventory',
      'test_abc.payments',
    ]);
    expect(orders.orderCatalog.topics().map((t) => t.declaredName)).toEqual([
      'orders',
      'inventory',
      'payments',
    ]);
    // What an event is does not change with where it goes: types (and routing, dedupe) stay the same.
    expect(orders.OrderPlaced.type).toBe('fleet.orders.OrderPlaced.v2');
    expect(orders.StockReserved.topic.name).toBe('test_abc.inventory');
    // Subjects follow the topic on the broker (TopicRecordNameStrategy): the namespace's own.
    expect(orders.OrderPlaced.subject).toBe('test_abc.orders-fleet.orders.OrderPlaced.v2');
    expect(orders.orderCatalog.byType('fleet.payments.VoidPayment.v1')?.topic.name).toBe('test_abc.payments');
  });

  it('keeps the plain names when the variable is unset or empty (the demo, production)', async () => {
    for (const value of [undefined, '']) {
      if (value === undefined) delete process.env.FLEET_TOPIC_PREFIX;
      else process.env.FLEET_TOPIC_PREFIX = value;
      vi.resetModules();
      const orders = await import('./orders/index.ts');
      expect(orders.orderCatalog.topics().map((t) => t.name)).toEqual(['orders', 'inventory', 'payments']);
      expect(orders.OrderPlaced.subject).toBe('orders-fleet.orders.OrderPlaced.v2');
    }
  });

  it('refuses a prefix Kafka would not accept in a topic name, naming the variable', () => {
    expect(() => topicPrefixFrom({ FLEET_TOPIC_PREFIX: 'my topics/' })).toThrow(ContractDefinitionError);
    expect(() => topicPrefixFrom({ FLEET_TOPIC_PREFIX: 'my topics/' })).toThrow(/FLEET_TOPIC_PREFIX/);
    expect(() => topicPrefixFrom({ FLEET_TOPIC_PREFIX: 'x'.repeat(201) })).toThrow(/at most 200/);
    expect(topicPrefixFrom({ FLEET_TOPIC_PREFIX: 'staging-1.' })).toBe('staging-1.');
    expect(namespacedTopicName('payments.dlq', { FLEET_TOPIC_PREFIX: 't_1.' })).toBe('t_1.payments.dlq');
    expect(namespacedTopicName('payments.dlq', {})).toBe('payments.dlq');
  });

  it('checks the whole name on the broker, and names events after the declared one', () => {
    expect(() =>
      defineTopic({
        name: 'orders',
        prefix: 'x'.repeat(245),
        partitions: 1,
        replicationFactor: 1,
        description: 'd',
        key: 'k',
      }),
    ).toThrow(/not legal in Kafka/);
    const topic = defineTopic({
      name: 'pings',
      prefix: 'ns_1.',
      partitions: 1,
      replicationFactor: 1,
      description: 'd',
      key: 'k',
    });
    expect(topic).toMatchObject({ name: 'ns_1.pings', declaredName: 'pings' });
    const pinged = defineEvent({
      name: 'Pinged',
      version: 1,
      topic,
      schema: z.object({ id: z.string() }),
      key: (e) => e.id,
      example: { id: 'p-1' },
      description: 'a ping',
    });
    expect(pinged.type).toBe('fleet.pings.Pinged.v1');
    expect(pinged.subject).toBe('ns_1.pings-fleet.pings.Pinged.v1');
  });
});
