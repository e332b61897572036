import { infraSettings } from '@fleet/testkit';
import { Consumer } from '@platformatic/kafka';
import { ResourceMeter } from './resource-meter.ts';
import { type ScenarioInput, type ScenarioSample, sampleOf } from './scenario.ts';
import { untilOrTimeout } from './until-or-timeout.ts';

/**
 * A′ — the client ceiling on another client: a `@platformatic/kafka` consumer group reading every
 * record from the earliest offset and doing nothing else (values, keys and headers stay Buffers, no
 * deserializer), with the runtime's fetch sizes (10 MB, 1 MB per partition). Whether kafkajs itself
 * is the ceiling of A, and so of D.
 */
export async function runPlatformaticCeiling(input: ScenarioInput): Promise<ScenarioSample> {
  const begun = performance.now();
  const consumer = new Consumer({
    groupId: input.groupId,
    clientId: 'bench-a2',
    bootstrapBrokers: infraSettings().kafkaBrokers,
  });
  const meter = new ResourceMeter();
  let startup = 0;
  let seen = 0;
  const { promise: finished, resolve: finish, reject } = Promise.withResolvers<void>();
  const stream = await consumer.consume({
    topics: [input.readingsTopic],
    mode: 'earliest',
    autocommit: true,
    maxBytes: 10 * 1024 * 1024,
    maxBytesPerPartition: 1024 * 1024,
    maxWaitTime: 1_000,
  });
  stream.on('error', reject);
  stream.on('data', () => {
    if (!meter.started) {
      startup = (performance.now() - begun) / 1000;
      meter.start();
    }
    seen++;
    if (seen >= input.events) finish();
  });
  await untilOrTimeout(finished, input.maxSeconds);
  const measured = meter.stop();
  await stream.close();
  await consumer.close(true);
  return sampleOf(seen, input.events, startup, measured, {
    processedEvents: null,
    projectionReadings: null,
    outboxLeft: null,
  });
}
