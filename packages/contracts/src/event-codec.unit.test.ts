import { describe, expect, it } from 'vitest';
import { DecodeError } from './contract-errors.ts';
import { EventCodec } from './event-codec.ts';
import { OrderPlaced, orderEvents } from './orders/index.ts';

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
