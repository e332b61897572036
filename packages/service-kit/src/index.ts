export { ConfigError } from './config-error.ts';
export {
  connectionEnv,
  connectionProblems,
  connectionSettings,
  envBool,
  type KafkaSettings,
  postgresUrl,
  type RegistrySettings,
  tlsOptions,
} from './connection-env.ts';
export { type ParseEnvOptions, parseEnv } from './parse-env.ts';
export { runService, type ServiceMain, type Stoppable } from './run-service.ts';
