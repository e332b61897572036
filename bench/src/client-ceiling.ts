import { testKafka } from '@fleet/testkit';
import { consumerCompletion } from './consumer-completion.ts';
import { ResourceMeter } from './resource-meter.ts';
import { type ScenarioInput, type ScenarioSample, sampleOf } from './scenario.ts';
import { untilOrTimeout } from './until-or-timeout.ts';

/** A — client ceiling: a kafkajs consumer group that reads every record and does nothing else. */
export async function runClientCeiling(input: ScenarioInput): Promise<ScenarioSample> {
  const begun = performance.now();
  const consumer = testKafka('bench-a').consumer({ groupId: input.groupId });
  const meter = new ResourceMeter();
  let startup = 0;
  let seen = 0;
  const { finished, finish } = consumerCompletion(consumer);
  await consumer.connect();
  await consumer.subscribe({ topic: input.readingsTopic, fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      if (!meter.started) {
        startup = (performance.now() - begun) / 1000;
        meter.start();
      }
      seen += batch.messages.length;
      if (seen >= input.events) finish();
    },
  });
  await untilOrTimeout(finished, input.maxSeconds);
  const measured = meter.stop();
  await consumer.disconnect();
  return sampleOf(seen, input.events, startup, measured, {
    processedEvents: null,
    projectionReadings: null,
    outboxLeft: null,
  });
}
