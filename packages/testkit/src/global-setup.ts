import { infraSettingsFromEnv } from './infra-settings.ts';
import { probeInfra } from './probe-infra.ts';
import { dockerIsReachable, startContainers } from './start-containers.ts';

/**
 * Vitest global setup for integration tests. Uses the infrastructure the environment names
 * (the native launcher's defaults when unset); when nothing answers there and a Docker engine
 * is reachable, starts the same stack with testcontainers; otherwise stops at once and says how.
 */
export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  const settings = infraSettingsFromEnv();
  const problems = await probeInfra(settings);
  if (problems.length === 0) return undefined;

  if (await dockerIsReachable()) {
    const started = await startContainers();
    process.env.KAFKA_BROKERS = started.settings.kafkaBrokers.join(',');
    process.env.SCHEMA_REGISTRY_URL = started.settings.schemaRegistryUrl;
    process.env.DATABASE_URL = started.settings.databaseUrl;
    return started.stop;
  }

  throw new Error(
    [
      'Integration tests need Kafka, a Schema Registry and PostgreSQL, and these do not answer:',
      ...problems.map((p) => `  - ${p}`),
      'Start them with `./fleetw infra up` (native, no Docker needed), or run a Docker engine so that',
      'the tests start containers themselves, or point KAFKA_BROKERS / SCHEMA_REGISTRY_URL / DATABASE_URL at yours.',
    ].join('\n'),
  );
}
