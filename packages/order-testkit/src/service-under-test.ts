import { type EventType, namespacedTopicName } from '@fleet/contracts';
import {
  deadLetterTopicOf,
  loadRuntimeConfig,
  type ProcessorDefinition,
  ProcessorRuntime,
} from '@fleet/processor';
import { createProducer, type FleetProducer } from '@fleet/producer';
import { infraSettings, uniqueName, waitFor } from '@fleet/testkit';
import type { Kysely } from 'kysely';

/**
 * Starts a service's processor on the test infrastructure: the given database, a consumer group of
 * its own, its dead-letter topic in the test file's topic namespace (`<FLEET_TOPIC_PREFIX><name>.dlq`,
 * beside the fleet's topics there), HTTP on a free port, a fast outbox poll, quiet logs
 * (TEST_LOG_LEVEL to see them).
 */
export function startServiceRuntime<DB>(
  definition: ProcessorDefinition<DB>,
  options: { databaseUrl: string; groupId?: string; env?: Record<string, string> },
): Promise<ProcessorRuntime<DB>> {
  const settings = infraSettings();
  return ProcessorRuntime.start(inTestNamespace(definition), {
    config: loadRuntimeConfig({
      KAFKA_BROKERS: settings.kafkaBrokers.join(','),
      SCHEMA_REGISTRY_URL: settings.schemaRegistryUrl,
      DATABASE_URL: options.databaseUrl,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      PROCESSOR_GROUP_ID: options.groupId ?? uniqueName('grp'),
      HTTP_PORT: '0',
      PROCESSOR_OUTBOX_POLL_MS: '50',
      ...options.env,
    }),
  });
}

/**
 * The definition with its dead-letter topic in the topic namespace: the runtime names it
 * `<name>.dlq` by default, the demo's own topic on a shared broker.
 */
export function inTestNamespace<DB>(definition: ProcessorDefinition<DB>): ProcessorDefinition<DB> {
  const deadLetterTopic = namespacedTopicName(deadLetterTopicOf(definition as ProcessorDefinition<unknown>));
  return deadLetterTopic === deadLetterTopicOf(definition as ProcessorDefinition<unknown>)
    ? definition
    : { ...definition, deadLetterTopic };
}

/** A connected producer SDK client for the test infrastructure, as an upstream system would use it. */
export async function connectTestProducer(
  source: string,
  events: readonly EventType[],
): Promise<FleetProducer> {
  const settings = infraSettings();
  const producer = createProducer({
    brokers: settings.kafkaBrokers,
    registryUrl: settings.schemaRegistryUrl,
    source,
    events,
  });
  await producer.connect();
  return producer;
}

/**
 * Waits until a processor has applied these event IDs (its dedupe table records them in the same
 * transaction). `db` is bound to the processor's schema (`withSchema`).
 */
export async function waitForProcessed(
  db: Kysely<{ processed_events: { event_id: string } }>,
  eventIds: string[],
): Promise<void> {
  await waitFor(`${eventIds.length} events applied`, async () => {
    const rows = await db
      .selectFrom('processed_events')
      .select('event_id')
      .where('event_id', 'in', eventIds)
      .execute();
    return rows.length === new Set(eventIds).size ? true : undefined;
  });
}
