export { type AuditResult, auditResultOf } from './audit-result.ts';
export {
  ConfigError,
  connectionEnv,
  connectionProblems,
  connectionSettings,
  envBool,
  type KafkaSasl,
  type KafkaSecurity,
  type KafkaSecurityProtocol,
  type KafkaSettings,
  type KafkaTls,
  kafkaClientOptions,
  kafkaEnv,
  kafkaProblems,
  kafkaSecurity,
  kafkaSecurityEnv,
  kafkaSecurityProblems,
  kafkaSettings,
  loadConnectionSettings,
  loadKafkaSettings,
  loadRegistrySettings,
  type ParseEnvOptions,
  type PemKind,
  parseEnv,
  pemFileProblem,
  postgresUrl,
  type RegistrySettings,
  readConfigFile,
  readSecret,
  registryEnv,
  registryProblems,
  registrySettings,
  type SaslMechanism,
  saslMechanisms,
  secretGiven,
  secretProblems,
  securityProtocols,
  tlsOptions,
} from './connection.ts';
export { type ErrorReply, errorReply } from './error-reply.ts';
export { errorResponseSchema, fieldIssueSchema } from './error-response-schema.ts';
export {
  describeIssues,
  type FieldIssue,
  fieldIssuesOf,
  fieldIssuesOfZod,
  parseRequest,
  requestInvalid,
  type ValidationItem,
} from './field-issues.ts';
export {
  type ErrorHandlerOptions,
  type ErrorHandlingApp,
  installErrorHandler,
} from './install-error-handler.ts';
export { runService, type ServiceMain, type Stoppable } from './run-service.ts';
export {
  startTracing,
  type Tracing,
  type TracingOptions,
  traceLogFields,
  tracingExporters,
} from './tracing.ts';
