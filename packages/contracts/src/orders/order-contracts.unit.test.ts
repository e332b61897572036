import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EventType } from '../define-event.ts';
import { compatibilityLevelOf } from '../event-codec.ts';
import { type JsonSchema, jsonSchemaOf, jsonSchemaTextOf } from '../json-schema-of.ts';
import { storableTextMessages } from '../storable-text.ts';
import { orderEvents } from './index.ts';

/**
 * The JSON Schemas as registered (one per subject), pretty-printed. A change to this file is a new schema
 * version under the subject's level (FULL_TRANSITIVE on `orders`): run `./fleetw check-compat` first.
 * Regenerate deliberately with `UPDATE_REGISTERED_SCHEMAS=1 pnpm exec vitest run --project unit
 * packages/contracts/src/orders/order-contracts.unit.test.ts`, then `./fleetw format`.
 */
const snapshotFile = resolve(import.meta.dirname, 'registered-schemas.snapshot.json');

describe('registered JSON Schemas', () => {
  it('are byte-identical to the snapshot (no new schema versions)', () => {
    if (process.env.UPDATE_REGISTERED_SCHEMAS === '1')
      writeFileSync(
        snapshotFile,
        `${JSON.stringify(Object.fromEntries(orderEvents.map((e) => [e.subject, jsonSchemaOf(e)])), null, 2)}\n`,
      );
    const snapshot = JSON.parse(readFileSync(snapshotFile, 'utf8')) as Record<string, JsonSchema>;
    expect(Object.keys(snapshot).sort()).toEqual(orderEvents.map((e) => e.subject).sort());
    for (const event of orderEvents)
      expect(
        jsonSchemaTextOf(event),
        `The registered JSON Schema of ${event.type} changed: that is a new version of subject ${event.subject} (${compatibilityLevelOf(event)}). Check it with ./fleetw check-compat, then update the snapshot (see the top of this file).`,
      ).toBe(JSON.stringify(snapshot[event.subject]));
  });
});

interface StringField {
  path: (string | number)[];
  /** Has a format, pattern or enum of its own (uuid, date-time, ISO currency, reason codes). */
  constrained: boolean;
}

/** Every string leaf of a JSON Schema, optional ones included; array items at index 0. */
function stringFields(schema: JsonSchema, path: (string | number)[] = []): StringField[] {
  if (schema.type === 'object')
    return Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>).flatMap(([key, s]) =>
      stringFields(s, [...path, key]),
    );
  if (schema.type === 'array') return stringFields(schema.items as JsonSchema, [...path, 0]);
  if (schema.type === 'string')
    return [{ path, constrained: ['format', 'pattern', 'enum', 'allOf', 'anyOf'].some((k) => k in schema) }];
  return [];
}

/** The event's example with the string at `path` suffixed with `suffix` (or set, when absent). */
function exampleWith(event: EventType, path: (string | number)[], suffix: string): unknown {
  const data = structuredClone(event.example) as Record<string | number, unknown>;
  let parent = data;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const leaf = path.at(-1) as string | number;
  parent[leaf] = `${typeof parent[leaf] === 'string' ? parent[leaf] : 'x'}${suffix}`;
  return data;
}

const poison = [
  { name: 'NUL', suffix: '\u0000', message: storableTextMessages.nul },
  { name: 'a lone high surrogate', suffix: '\uD83D', message: storableTextMessages.loneSurrogate(0xd83d) },
  { name: 'a lone low surrogate', suffix: '\uDE00', message: storableTextMessages.loneSurrogate(0xde00) },
  { name: 'ESC', suffix: '\u001b', message: storableTextMessages.control(0x1b) },
  { name: 'a C1 control', suffix: '\u0085', message: storableTextMessages.control(0x85) },
];

describe('every string field of every event refuses what no consumer can store', () => {
  it('finds the free-text fields (the ones storableText guards; the others have a format, pattern or enum)', () => {
    const freeText = Object.fromEntries(
      orderEvents.map((e) => [
        e.type,
        stringFields(jsonSchemaOf(e))
          .filter((f) => !f.constrained)
          .map((f) => f.path.join('.')),
      ]),
    );
    expect(freeText).toEqual({
      'fleet.orders.OrderPlaced.v1': ['customerId', 'lines.0.sku'],
      'fleet.orders.OrderPlaced.v2': ['customerId', 'lines.0.sku'],
      'fleet.orders.OrderCancelled.v1': ['reason'],
      'fleet.orders.OrderConfirmed.v1': ['paymentId'],
      'fleet.orders.OrderRejected.v1': ['detail'],
      'fleet.inventory.StockReserved.v1': ['reservationId', 'warehouse', 'lines.0.sku'],
      'fleet.inventory.StockRejected.v1': ['missing.0.sku'],
      'fleet.inventory.ReleaseStock.v1': ['reservationId'],
      'fleet.payments.PaymentAuthorized.v1': ['paymentId'],
      'fleet.payments.PaymentDeclined.v1': [],
      'fleet.payments.VoidPayment.v1': ['paymentId'],
      'fleet.payments.PaymentVoided.v1': ['paymentId'],
    });
  });

  for (const { name, suffix, message } of poison)
    it(`${name}: refused at the field's path, with the rule's message on free text`, () => {
      for (const event of orderEvents)
        for (const { path, constrained } of stringFields(jsonSchemaOf(event))) {
          const at = path.join('.');
          const result = event.schema.safeParse(exampleWith(event, path, suffix));
          const messages = (result.error?.issues ?? [])
            .filter((i) => i.path.join('.') === at)
            .map((i) => i.message);
          if (constrained) expect(messages, `${event.type} ${at}`).not.toEqual([]);
          else expect(messages, `${event.type} ${at}`).toEqual([message]);
          // Nothing else in the example is wrong.
          expect(result.error?.issues.every((i) => i.path.join('.') === at) ?? false).toBe(true);
        }
    });

  it('still accepts every example, and text with an emoji, tab and newline', () => {
    for (const event of orderEvents) {
      expect(event.schema.safeParse(event.example).success).toBe(true);
      for (const { path, constrained } of stringFields(jsonSchemaOf(event)))
        if (!constrained)
          expect(event.schema.safeParse(exampleWith(event, path, ' 🛒\tx\n')).success, path.join('.')).toBe(
            true,
          );
    }
  });
});
