import { kafkaClientOptions, loadConnectionSettings } from '@fleet/service-kit/connection';
import type { ProducerOptions } from './create-producer.ts';

export type ProducerConnection = Pick<
  ProducerOptions,
  'brokers' | 'registryUrl' | 'registryAuth' | 'clientId' | 'kafka'
>;

/**
 * The producer's connection from the fleet's own variables (`KAFKA_BROKERS`, `KAFKA_SECURITY_PROTOCOL`,
 * `KAFKA_SASL_*`, `KAFKA_SSL_*`, `SCHEMA_REGISTRY_*`; see .env.example), with the services' rules:
 * PLAIN only over TLS, files checked at once. Throws a ConfigError that lists every problem.
 *
 * `createProducer({ ...producerConnectionFromEnv(), source, events })`
 */
export function producerConnectionFromEnv(
  env: Record<string, string | undefined> = process.env,
): ProducerConnection {
  const { kafka, registry } = loadConnectionSettings(env, 'producer connection settings');
  const { clientId, brokers, ssl, sasl } = kafkaClientOptions(kafka, 'fleet-producer');
  return {
    brokers,
    clientId,
    registryUrl: registry.url,
    ...(registry.auth ? { registryAuth: registry.auth } : {}),
    kafka: { ssl, ...(sasl ? { sasl } : {}) },
  };
}
