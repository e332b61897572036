import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ContractDefinitionError } from './contract-errors.ts';
import { defineEvent, type EventData, upcastChain, upcastTo } from './define-event.ts';
import { defineTopic } from './define-topic.ts';
import { OrderPlaced, OrderPlacedV1, ordersTopic } from './orders/index.ts';

describe('defineEvent', () => {
  it('names the CloudEvents type after the topic namespace and the subject after topic and type', () => {
    expect(OrderPlaced.type).toBe('fleet.orders.OrderPlaced.v2');
    expect(OrderPlaced.subject).toBe('orders-fleet.orders.OrderPlaced.v2');
    expect(OrderPlacedV1.type).toBe('fleet.orders.OrderPlaced.v1');
    expect(OrderPlaced.key(OrderPlaced.example)).toBe(OrderPlaced.example.orderId);
  });

  it('takes an explicit namespace', () => {
    const e = defineEvent({
      name: 'Pinged',
      version: 3,
      namespace: 'acme.ops',
      topic: ordersTopic,
      schema: z.object({ id: z.string() }),
      key: (d) => d.id,
      example: { id: 'a' },
      description: 'x',
    });
    expect(e.type).toBe('acme.ops.Pinged.v3');
    expect(e.subject).toBe('orders-acme.ops.Pinged.v3');
  });

  it('rejects an example that does not match the schema, saying which field', () => {
    expect(() =>
      defineEvent({
        name: 'Pinged',
        version: 1,
        topic: ordersTopic,
        schema: z.object({ n: z.number().int() }),
        key: () => 'k',
        example: { n: 1.5 },
        description: 'x',
      }),
    ).toThrow(/example does not match its schema: n:/);
  });

  it('rejects bad names and versions, and upcasts from another event', () => {
    const base = { topic: ordersTopic, schema: z.object({}), key: () => 'k', example: {}, description: 'x' };
    expect(() => defineEvent({ ...base, name: 'pinged', version: 1 })).toThrow(ContractDefinitionError);
    expect(() => defineEvent({ ...base, name: 'Pinged', version: 0 })).toThrow(/version/);
    expect(() =>
      defineEvent({
        ...base,
        name: 'Other',
        version: 2,
        upcastFrom: { event: OrderPlacedV1, upcast: () => ({}) },
      }),
    ).toThrow(/upcastFrom must name an older version of Other/);
  });

  it('upcasts along the chain', () => {
    expect(upcastChain(OrderPlaced).map((e) => e.type)).toEqual(['fleet.orders.OrderPlaced.v1']);
    const v2: EventData<typeof OrderPlaced> = upcastTo(OrderPlaced, OrderPlacedV1, OrderPlacedV1.example);
    expect(v2).toEqual({ ...OrderPlacedV1.example, currency: 'EUR' });
    const topic = defineTopic({ name: 't', partitions: 1, replicationFactor: 1, description: '', key: 'id' });
    const a1 = defineEvent({
      name: 'A',
      version: 1,
      topic,
      schema: z.object({ n: z.number() }),
      key: () => 'k',
      example: { n: 1 },
      description: '',
    });
    const a2 = defineEvent({
      name: 'A',
      version: 2,
      topic,
      schema: z.object({ n: z.number(), m: z.number() }),
      key: () => 'k',
      example: { n: 1, m: 2 },
      description: '',
      upcastFrom: { event: a1, upcast: (o) => ({ ...o, m: 0 }) },
    });
    const a3 = defineEvent({
      name: 'A',
      version: 3,
      topic,
      schema: z.object({ total: z.number() }),
      key: () => 'k',
      example: { total: 1 },
      description: '',
      upcastFrom: { event: a2, upcast: (o) => ({ total: o.n + o.m }) },
    });
    expect(upcastTo(a3, a1, { n: 5 })).toEqual({ total: 5 });
  });
});

describe('defineTopic', () => {
  it('rejects illegal names and counts', () => {
    const base = { partitions: 1, replicationFactor: 1, description: '', key: 'id' };
    expect(() => defineTopic({ ...base, name: 'bad name' })).toThrow(/not legal/);
    expect(() => defineTopic({ ...base, name: 'ok', partitions: 0 })).toThrow(/partitions/);
    expect(defineTopic({ ...base, name: 'ok' }).public).toBe(false);
  });
});
