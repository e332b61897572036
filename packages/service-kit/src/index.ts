export { ConfigError } from './config-error.ts';
export {
  connectionEnv,
  connectionProblems,
  connectionSettings,
  envBool,
  type KafkaSettings,
  kafkaEnv,
  kafkaProblems,
  kafkaSettings,
  postgresUrl,
  type RegistrySettings,
  tlsOptions,
} from './connection-env.ts';
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
export { type ParseEnvOptions, parseEnv } from './parse-env.ts';
export { runService, type ServiceMain, type Stoppable } from './run-service.ts';
export {
  startTracing,
  type Tracing,
  type TracingOptions,
  traceLogFields,
  tracingExporters,
} from './tracing.ts';
