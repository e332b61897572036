import { describe, expect, it, vi } from 'vitest';
import { DecodeError, EventValidationError } from './contract-errors.ts';
import { EventCodec, MAX_UNKNOWN_IDS } from './event-codec.ts';
import { OrderCancelled, OrderPlaced, OrderPlacedV1, orderEvents } from './orders/index.ts';
import { storableTextMessages } from './storable-text.ts';

// Constructing a codec does no I/O; these paths fail before any registry call.
const codec = new EventCodec({ registryUrl: 'http://127.0.0.1:1/unused', events: orderEvents });

describe('EventCodec framing', () => {
  it('rejects values that are not Confluent-framed', async () => {
    await expect(codec.decode(Buffer.from('{"a":1}'), OrderPlaced)).rejects.toMatchObject({
      code: 'BAD_MAGIC_BYTE',
    });
    await expect(codec.decode(Buffer.from([0, 0, 1]), OrderPlaced)).rejects.toMatchObject({
      code: 'TRUNCATED',
    });
    await expect(codec.decode(Buffer.alloc(0), OrderPlaced)).rejects.toBeInstanceOf(DecodeError);
  });

  it('refuses to encode before registration, saying what to do', () => {
    expect(() => codec.encodeSync(OrderPlaced, OrderPlaced.example)).toThrow(/registerAll\(\)/);
  });

  it('includes older versions reachable by upcasting', () => {
    const only = new EventCodec({ registryUrl: 'http://127.0.0.1:1/unused', events: [OrderPlaced] });
    expect(only.events.map((e) => e.type)).toEqual([
      'fleet.orders.OrderPlaced.v2',
      'fleet.orders.OrderPlaced.v1',
    ]);
  });
});

/** A Confluent-framed record as any producer could write it straight to Kafka, bypassing encode(). */
function framed(schemaId: number, json: string): Buffer {
  const prefix = Buffer.alloc(5);
  prefix.writeInt32BE(schemaId, 1);
  return Buffer.concat([prefix, Buffer.from(json, 'utf8')]);
}

describe('EventCodec decode of strings no consumer can store', () => {
  // The registry's answer for the writer's schema id, without I/O: the decode path after it is the real one.
  function codecKnowing(ids: Record<number, string>): EventCodec {
    const c = new EventCodec({ registryUrl: 'http://127.0.0.1:1/unused', events: orderEvents });
    vi.spyOn(c.http, 'subjectsOfSchemaId').mockImplementation(async (id) =>
      ids[id] ? [{ subject: ids[id], version: 1 }] : [],
    );
    return c;
  }

  it('a customerId of NUL produced straight to Kafka fails with EVENT_INVALID naming the field', async () => {
    const c = codecKnowing({ 41: OrderPlaced.subject });
    const record = framed(41, JSON.stringify({ ...OrderPlaced.example, customerId: '\u0000' }));
    const error = await c.decode(record, OrderPlaced, { type: OrderPlaced.type }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventValidationError);
    expect(error).toMatchObject({
      code: 'EVENT_INVALID',
      eventType: OrderPlaced.type,
      issues: [{ path: 'customerId', message: storableTextMessages.nul }],
    });
    // The same record without the NUL decodes: the refusal is the rule, not the framing.
    const clean = framed(41, JSON.stringify(OrderPlaced.example));
    await expect(c.decode(clean, OrderPlaced)).resolves.toEqual(OrderPlaced.example);
  });

  it('a lone surrogate (escaped in the JSON) and a control character fail too, also through decodeAny', async () => {
    const c = codecKnowing({ 42: OrderPlaced.subject, 43: OrderCancelled.subject });
    const lines = [{ ...OrderPlaced.example.lines[0], sku: 'BOOK-\uD83D' }];
    // JSON.stringify writes a lone surrogate as the escape \ud83d; JSON.parse gives it back.
    const json = JSON.stringify({ ...OrderPlaced.example, lines });
    expect(json).toContain('\\ud83d');
    await expect(c.decodeAny(framed(42, json))).rejects.toMatchObject({
      code: 'EVENT_INVALID',
      issues: [{ path: 'lines.0.sku', message: storableTextMessages.loneSurrogate(0xd83d) }],
    });
    const cancel = JSON.stringify({ ...OrderCancelled.example, reason: 'oops\u001b[2J' });
    await expect(c.decode(framed(43, cancel), OrderCancelled)).rejects.toMatchObject({
      code: 'EVENT_INVALID',
      issues: [{ path: 'reason', message: storableTextMessages.control(0x1b) }],
    });
  });

  it('an old OrderPlaced v1 record is checked with the v1 schema before it is upcast', async () => {
    const c = codecKnowing({ 44: OrderPlacedV1.subject });
    const record = framed(44, JSON.stringify({ ...OrderPlacedV1.example, customerId: 'cust\u0000' }));
    await expect(c.decode(record, OrderPlaced)).rejects.toMatchObject({
      code: 'EVENT_INVALID',
      eventType: OrderPlacedV1.type,
      issues: [{ path: 'customerId', message: storableTextMessages.nul }],
    });
  });
});

describe('unknown schema IDs', () => {
  it('remembers the registry answer for an unknown ID, but only the most recent MAX_UNKNOWN_IDS of them', async () => {
    const c = new EventCodec({ registryUrl: 'http://127.0.0.1:1/unused', events: orderEvents });
    const asked = vi.spyOn(c.http, 'subjectsOfSchemaId').mockImplementation(async () => []);
    const framed = (id: number) => {
      const b = Buffer.alloc(7);
      b.writeInt32BE(id, 1);
      b.write('{}', 5);
      return b;
    };
    await expect(c.decodeAny(framed(7))).rejects.toMatchObject({ code: 'UNKNOWN_SCHEMA_ID' });
    await expect(c.decodeAny(framed(7))).rejects.toMatchObject({ code: 'UNKNOWN_SCHEMA_ID' });
    expect(asked).toHaveBeenCalledTimes(1); // the second answer came from memory
    // A producer writing ever new IDs cannot grow the codec without bound.
    for (let id = 100; id < 100 + MAX_UNKNOWN_IDS + 500; id++)
      await expect(c.decodeAny(framed(id))).rejects.toMatchObject({ code: 'UNKNOWN_SCHEMA_ID' });
    expect(c.unknownIdsRemembered).toBe(MAX_UNKNOWN_IDS);
  });
});
