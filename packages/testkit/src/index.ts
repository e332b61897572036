export { freePorts } from './free-ports.ts';
export {
  defaultInfraSettings,
  type InfraSettings,
  infraSettings,
  infraSettingsFromEnv,
} from './infra-settings.ts';
export { processAlive } from './native-launcher.ts';
export { probeInfra } from './probe-infra.ts';
export { readTopic, type TopicRecord } from './read-topic.ts';
export { runToCompletion } from './run-to-completion.ts';
export { type SecureBroker, startSecureBroker } from './secure-broker.ts';
export { type BrokerOptions, type StartedBroker, startBroker } from './start-broker.ts';
export { type RegistryOptions, type StartedRegistry, startRegistry } from './start-registry.ts';
export { type StartedZipkin, startZipkin, type ZipkinOptions } from './start-zipkin.ts';
export { createTestDatabase, kyselyFor, type TestDatabase } from './test-database.ts';
export { createTestTopic, testKafka, topicSize } from './test-kafka.ts';
export { removeTopicNamespace, testTopicPrefix } from './topic-namespace.ts';
export { uniqueName } from './unique-name.ts';
export { waitFor } from './wait-for.ts';
