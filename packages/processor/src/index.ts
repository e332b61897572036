export { type ErrorCode, FleetError } from '@fleet/errors';
// For services' own config and routes: a request part that fails its zod schema is a 400 naming each
// field (parseRequest); the error body's schema for their OpenAPI documents (errorResponseSchema).
export { ConfigError, errorResponseSchema, parseRequest } from '@fleet/service-kit';
export { cleanOperator, OPERATOR_HEADER } from './admin/admin-access.ts';
export type { AdminOperations } from './admin/admin-api.ts';
export type { RebuildJob } from './admin/rebuild-jobs.ts';
export { type AdminRole, type AdminToken, adminTokens } from './admin-tokens.ts';
export {
  type AuditActor,
  type AuditEntry,
  type AuditFilter,
  AuditLog,
  type AuditStart,
  auditResultOf,
} from './audit-log.ts';
export type { ConsumerLifecycle, PauseState } from './consumer-supervisor.ts';
export { requestPause } from './control-plane.ts';
export {
  type AuditResult,
  type ControlTables,
  controlTableStatements,
  controlTables,
  ensureControlTables,
} from './control-tables.ts';
export { deadLetterHeaders } from './dead-letter.ts';
export {
  deadLetterTopicOf,
  defineProcessor,
  type LockAhead,
  type ProcessorDeclaration,
  type ProcessorDefinition,
  type Route,
  type RouteBuilders,
  type RouteOptions,
  type Schedule,
} from './define-processor.ts';
export { MAX_ATTEMPTS_LIMIT } from './definition-problems.ts';
export {
  type DeploymentSettings,
  deploymentSettings,
  INTERNAL_PORT_OFFSET,
  internalPortFor,
} from './deployment-settings.ts';
export { deterministicId } from './deterministic-id.ts';
export { HandlerFailedError, ProcessorError } from './errors.ts';
export type { EventMeta, ProcessedEvent } from './event-meta.ts';
export { PermanentError, RetryableError } from './failure-kind.ts';
export {
  type BatchContext,
  type BatchHandler,
  causedBy,
  type Decision,
  type EventHandler,
  type EventOf,
  type HandlerContext,
  type Publish,
  type PublishOptions,
  type ScheduleContext,
} from './handler-context.ts';
export type { HoldBack } from './hold-back.ts';
export { fetchGroupLag, type PartitionLag } from './lag-monitor.ts';
export { createLogger, type Logger } from './logger.ts';
export * from './operations/index.ts';
export { ProcessorRuntime, type StartOptions } from './processor-runtime.ts';
export type {
  BatchHandlerFor,
  ContextFor,
  DbOf,
  EventHandlerFor,
  ProcessorTypes,
  PublishesOf,
  ScheduleContextFor,
  ScheduleFor,
} from './processor-types.ts';
export * from './rebuild/index.ts';
export { type RegisteredProcessor, registeredProcessors } from './registered-processors.ts';
export { type RunProcessorOptions, runProcessor } from './run-processor.ts';
export { loadRuntimeConfig, type RuntimeConfig } from './runtime-config.ts';
export type { RuntimeEventMap, RuntimeEvents } from './runtime-events.ts';
export { rebuildProcessor, rollbackRebuild, startReplica } from './runtime-rebuilds.ts';
export {
  event,
  ProcessorSpec,
  type PublishedEvent,
  type SpecEvent,
  type SpecOutcome,
  type SpecSchedules,
  serviceHttp,
  specSchedules,
  unreachableDatabase,
} from './testing/index.ts';
