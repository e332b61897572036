import { EventCodec, type EventType } from '@fleet/contracts';
import { infraSettings, testKafka, uniqueName } from '@fleet/testkit';
import { type BenchContracts, benchContracts } from './bench-contracts.ts';

export interface BenchTopics {
  contracts: BenchContracts;
  codec: EventCodec;
  /** Names a child process needs to rebuild the same contracts. */
  readingsTopic: string;
  milestonesTopic: string;
}

/** Fresh topics (6 partitions in, 3 out) and their subjects registered: nobody else's records in them. */
export async function createBenchTopics(prefix: string): Promise<BenchTopics> {
  const readingsTopic = uniqueName(`${prefix}-readings`);
  const milestonesTopic = uniqueName(`${prefix}-milestones`);
  const contracts = benchContracts(readingsTopic, milestonesTopic);
  const admin = testKafka('bench-admin').admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: [contracts.readings, contracts.milestones].map((t) => ({
        topic: t.name,
        numPartitions: t.partitions,
        replicationFactor: t.replicationFactor,
      })),
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
  const codec = new EventCodec({
    registryUrl: infraSettings().schemaRegistryUrl,
    events: [contracts.MeterRead, contracts.MeterMilestone] as EventType[],
  });
  await codec.registerAll();
  return { contracts, codec, readingsTopic, milestonesTopic };
}

/** Deletes the benchmark's topics (best effort: a run that failed half-way leaves nothing behind). */
export async function deleteBenchTopics(topics: string[]): Promise<void> {
  const admin = testKafka('bench-admin').admin();
  await admin.connect();
  await admin.deleteTopics({ topics }).catch(() => {});
  await admin.disconnect();
}
