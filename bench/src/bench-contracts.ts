import { defineEvent, defineTopic } from '@fleet/contracts';
import { z } from 'zod';

const meterRead = z.object({
  meterId: z.string().min(1),
  seq: z.number().int().min(0),
  reading: z.number().int(),
  unit: z.string(),
  site: z.string(),
  firmware: z.string(),
  /** Date.now() when the producer sent it: the latency phase measures produce → projection visible. */
  producedAt: z.number().int(),
  note: z.string(),
});
export type MeterRead = z.infer<typeof meterRead>;

const meterMilestone = z.object({
  meterId: z.string().min(1),
  seq: z.number().int().min(0),
  reading: z.number().int(),
});

/**
 * The benchmark's event types on topics of its own (unique names per run): `MeterRead` in, and a
 * `MeterMilestone` follow-on for one reading in ten, published through the outbox.
 */
export function benchContracts(readingsTopic: string, milestonesTopic: string) {
  const readings = defineTopic({
    name: readingsTopic,
    partitions: 6,
    replicationFactor: 1,
    description: 'benchmark input: meter readings',
    key: 'meterId',
  });
  const milestones = defineTopic({
    name: milestonesTopic,
    partitions: 3,
    replicationFactor: 1,
    description: 'benchmark follow-on events',
    key: 'meterId',
  });
  const MeterReadEvent = defineEvent({
    name: 'MeterRead',
    version: 1,
    namespace: 'fleet.bench',
    topic: readings,
    schema: meterRead,
    key: (d) => d.meterId,
    example: {
      meterId: 'meter-00001',
      seq: 0,
      reading: 1,
      unit: 'kWh',
      site: 'site-001',
      firmware: '1.0.0',
      producedAt: 0,
      note: '',
    },
    description: 'A meter reported a reading',
  });
  const MeterMilestoneEvent = defineEvent({
    name: 'MeterMilestone',
    version: 1,
    namespace: 'fleet.bench',
    topic: milestones,
    schema: meterMilestone,
    key: (d) => d.meterId,
    example: { meterId: 'meter-00001', seq: 0, reading: 10 },
    description: 'One reading in ten is announced',
  });
  return { readings, milestones, MeterRead: MeterReadEvent, MeterMilestone: MeterMilestoneEvent };
}

export type BenchContracts = ReturnType<typeof benchContracts>;
