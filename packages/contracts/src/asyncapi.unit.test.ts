import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { orderAsyncApiYaml } from './orders/order-asyncapi.ts';

const committed = resolve(import.meta.dirname, '../../../docs/asyncapi.yaml');

describe('AsyncAPI document', () => {
  it('docs/asyncapi.yaml matches the contracts (no drift)', () => {
    const current = readFileSync(committed, 'utf8');
    expect(
      current === orderAsyncApiYaml(),
      'docs/asyncapi.yaml is out of date: run `pnpm --filter @fleet/contracts asyncapi` and commit the result.',
    ).toBe(true);
  });

  it('describes every topic with key, messages, CloudEvents headers and examples', () => {
    const doc = parse(orderAsyncApiYaml());
    expect(doc.asyncapi).toBe('3.0.0');
    expect(Object.keys(doc.channels)).toEqual(['orders', 'inventory', 'payments']);
    const placed = doc.components.messages['fleet.orders.OrderPlaced.v2'];
    expect(placed.bindings.kafka.key.description).toContain('orderId');
    expect(placed.headers.$ref).toBe('#/components/schemas/CloudEventsHeaders');
    expect(placed.payload.schema.required).toContain('currency');
    expect(placed.examples[0].payload.currency).toBe('EUR');
    expect(placed['x-upcasts-from']).toBe('fleet.orders.OrderPlaced.v1');
    expect(doc.components.schemas.CloudEventsHeaders.required).toContain('ce_id');
  });
});
