// Event types for the runtime's unit tests of its author API: one consumed, two declared, one never.
import { defineEvent, defineTopic } from '@fleet/contracts';
import { z } from 'zod';

const topic = defineTopic({
  name: 'parcels',
  partitions: 1,
  replicationFactor: 1,
  description: 'unit-test topic',
  key: 'parcelId',
});
const common = { version: 1, topic, key: (d: { parcelId: string }) => d.parcelId };

export const ParcelSent = defineEvent({
  ...common,
  name: 'ParcelSent',
  schema: z.object({ parcelId: z.string(), grams: z.number() }),
  example: { parcelId: 'p-1', grams: 100 },
  description: 'A parcel was sent',
});
export const ParcelWeighed = defineEvent({
  ...common,
  name: 'ParcelWeighed',
  schema: z.object({ parcelId: z.string(), heavy: z.boolean() }),
  example: { parcelId: 'p-1', heavy: false },
  description: 'A parcel was weighed',
});
export const ParcelLost = defineEvent({
  ...common,
  name: 'ParcelLost',
  schema: z.object({ parcelId: z.string(), lostAt: z.string() }),
  example: { parcelId: 'p-1', lostAt: '2026-01-01T00:00:00Z' },
  description: 'A parcel was lost',
});
/** Published by no processor of the tests: publishing it must not compile. */
export const ParcelBurned = defineEvent({
  ...common,
  name: 'ParcelBurned',
  schema: z.object({ parcelId: z.string(), ashes: z.number() }),
  example: { parcelId: 'p-1', ashes: 3 },
  description: 'A parcel burned',
});

export interface ParcelDb {
  parcels: { parcel_id: string; grams: number };
}
