import { KafkaContainer } from '@testcontainers/kafka';
import { PostgreSqlContainer } from '@testcontainers/postgresql';
import { GenericContainer, getContainerRuntimeClient, Network, Wait } from 'testcontainers';
import type { InfraSettings } from './infra-settings.ts';

// Same versions as the native launcher and docker-compose.yml.
const images = {
  kafka: 'apache/kafka:4.4.0',
  registry: 'apicurio/apicurio-registry:3.3.3',
  postgres: 'postgres:15-alpine',
};

export async function dockerIsReachable(): Promise<boolean> {
  try {
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

/** The stack for hosts with a Docker engine and no native infrastructure running. */
export async function startContainers(): Promise<{ settings: InfraSettings; stop: () => Promise<void> }> {
  const network = await new Network().start();
  const [kafka, postgres, registry] = await Promise.all([
    new KafkaContainer(images.kafka).withKraft().withNetwork(network).start(),
    new PostgreSqlContainer(images.postgres).withNetwork(network).start(),
    new GenericContainer(images.registry)
      .withExposedPorts(8080)
      .withEnvironment({ 'apicurio.ccompat.use-canonical-hash': 'true' })
      .withWaitStrategy(Wait.forHttp('/apis/ccompat/v7/subjects', 8080))
      .start(),
  ]);
  const registryUrl = `http://${registry.getHost()}:${registry.getMappedPort(8080)}/apis/ccompat/v7`;
  await fetch(`${registryUrl}/config`, {
    method: 'PUT',
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    body: JSON.stringify({ compatibility: 'BACKWARD' }),
  });
  return {
    settings: {
      kafkaBrokers: [`${kafka.getHost()}:${kafka.getMappedPort(9093)}`],
      schemaRegistryUrl: registryUrl,
      databaseUrl: postgres.getConnectionUri(),
    },
    stop: async () => {
      await Promise.all([kafka.stop(), postgres.stop(), registry.stop()]);
      await network.stop();
    },
  };
}
