import { infraSettings, uniqueName } from '@fleet/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineEvent } from './define-event.ts';
import { defineTopic } from './define-topic.ts';
import { EventCodec } from './event-codec.ts';

// Events on a unique topic, so their subjects are this run's own.
const topic = defineTopic({
  name: uniqueName('codec'),
  partitions: 1,
  replicationFactor: 1,
  description: 'test',
  key: 'id',
});
const publicTopic = defineTopic({ ...topic, name: uniqueName('codecpub'), config: {}, public: true });
const ThingV1 = defineEvent({
  name: 'Thing',
  version: 1,
  topic,
  schema: z.object({ id: z.uuid(), count: z.number().int().positive() }),
  key: (d) => d.id,
  example: { id: '3f2c9a4e-8b1d-4c6f-9e2a-7d5b1c0e4f21', count: 1 },
  description: 'v1',
});
const Thing = defineEvent({
  name: 'Thing',
  version: 2,
  topic,
  schema: z.object({ id: z.uuid(), count: z.number().int().positive(), unit: z.enum(['PIECE', 'BOX']) }),
  key: (d) => d.id,
  example: { id: '3f2c9a4e-8b1d-4c6f-9e2a-7d5b1c0e4f21', count: 1, unit: 'PIECE' },
  description: 'v2',
  upcastFrom: { event: ThingV1, upcast: (old) => ({ ...old, unit: 'PIECE' as const }) },
});
const Other = defineEvent({
  name: 'Other',
  version: 1,
  topic: publicTopic,
  schema: z.object({ id: z.string() }),
  key: (d) => d.id,
  example: { id: 'x' },
  description: 'other',
});

const registryUrl = infraSettings().schemaRegistryUrl;
const codec = new EventCodec({ registryUrl, events: [Thing, Other] });
const id = '0b7e6a1c-2f4d-4e8a-9c3b-5d6f7a8b9c0d';

describe('EventCodec against the registry', () => {
  beforeAll(async () => {
    await codec.registerAll();
  });

  it('registers each subject with its compatibility level set explicitly', async () => {
    expect(await codec.http.subjectCompatibility(Thing.subject)).toBe('BACKWARD');
    expect(await codec.http.subjectCompatibility(ThingV1.subject)).toBe('BACKWARD');
    expect(await codec.http.subjectCompatibility(Other.subject)).toBe('FULL_TRANSITIVE');
    expect(await codec.http.versions(Thing.subject)).toEqual([1]);
    // Registering again is a no-op (same schema, same id).
    const again = await new EventCodec({ registryUrl, events: [Thing, Other] }).registerAll();
    expect(again.get(Thing.type)).toBe(codec.schemaIdOf(Thing));
  });

  it('encodes in the Confluent wire format and decodes back, also with the registry client', async () => {
    const buffer = await codec.encode(Thing, { id, count: 3, unit: 'BOX' });
    expect(buffer[0]).toBe(0);
    expect(buffer.readInt32BE(1)).toBe(codec.schemaIdOf(Thing));
    expect(await codec.decode(buffer, Thing)).toEqual({ id, count: 3, unit: 'BOX' });
    expect(await codec.registry.decode(buffer)).toEqual({ id, count: 3, unit: 'BOX' });
  });

  it('upcasts an older version to the expected one', async () => {
    const buffer = await codec.encode(ThingV1, { id, count: 2 });
    expect(await codec.decode(buffer, Thing, { type: ThingV1.type })).toEqual({
      id,
      count: 2,
      unit: 'PIECE',
    });
    expect(await codec.decodeAny(buffer)).toMatchObject({ eventType: ThingV1, data: { id, count: 2 } });
  });

  it('refuses invalid payloads before encoding, naming each field', async () => {
    const bad = { id: 'nope', count: 0, unit: 'CRATE' } as unknown as z.infer<typeof Thing.schema>;
    await expect(codec.encode(Thing, bad)).rejects.toMatchObject({ code: 'EVENT_INVALID' });
    await expect(codec.encode(Thing, bad)).rejects.toThrow(
      /- id: Invalid UUID[\s\S]*- count: Too small[\s\S]*- unit:/,
    );
  });

  it('explains records it cannot decode', async () => {
    const frame = (schemaId: number, json: string) => {
      const b = Buffer.alloc(5 + Buffer.byteLength(json));
      b.writeInt32BE(schemaId, 1);
      b.write(json, 5);
      return b;
    };
    const thingId = codec.schemaIdOf(Thing);
    await expect(codec.decode(frame(thingId, '{"id":'), Thing)).rejects.toMatchObject({
      code: 'UNDECODABLE',
    });
    await expect(codec.decode(frame(thingId, '{"id":"x","count":1}'), Thing)).rejects.toMatchObject({
      code: 'EVENT_INVALID',
    });
    await expect(codec.decode(frame(2_000_000_000, '{}'), Thing)).rejects.toMatchObject({
      code: 'UNKNOWN_SCHEMA_ID',
    });
    const other = await codec.encode(Other, { id: 'x' });
    await expect(codec.decode(other, Thing)).rejects.toMatchObject({ code: 'UNEXPECTED_TYPE' });
    await expect(codec.decode(other, Other, { type: Thing.type })).rejects.toMatchObject({
      code: 'TYPE_MISMATCH',
    });
  });

  it('looks up an id it did not register once, then decodes from cache', async () => {
    const buffer = await codec.encode(Thing, { id, count: 1, unit: 'PIECE' });
    const reader = new EventCodec({ registryUrl, events: [Thing] });
    expect(reader.isKnown(buffer)).toBe(false);
    expect(await reader.decode(buffer, Thing)).toEqual({ id, count: 1, unit: 'PIECE' });
    expect(reader.isKnown(buffer)).toBe(true);
  });
});
