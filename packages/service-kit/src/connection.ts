// The configuration half of service-kit, without the tracing SDK: what the producer SDK, the
// contracts' scripts and the CLI import (`@fleet/service-kit/connection`) to read the same variables
// with the same rules as the services.
export { ConfigError } from './config-error.ts';
export {
  type PemKind,
  pemFileProblem,
  readConfigFile,
  readSecret,
  secretGiven,
  secretProblems,
} from './config-files.ts';
export {
  connectionEnv,
  connectionProblems,
  connectionSettings,
  envBool,
  type KafkaSettings,
  kafkaClientOptions,
  kafkaEnv,
  kafkaProblems,
  kafkaSettings,
  loadConnectionSettings,
  loadKafkaSettings,
  postgresUrl,
  tlsOptions,
} from './connection-env.ts';
export {
  type KafkaSasl,
  type KafkaSecurity,
  type KafkaSecurityProtocol,
  type KafkaTls,
  kafkaSecurity,
  kafkaSecurityEnv,
  kafkaSecurityProblems,
  type SaslMechanism,
  saslMechanisms,
  securityProtocols,
} from './kafka-security.ts';
export { type ParseEnvOptions, parseEnv } from './parse-env.ts';
export {
  loadRegistrySettings,
  type RegistrySettings,
  registryEnv,
  registryProblems,
  registrySettings,
} from './registry-env.ts';
