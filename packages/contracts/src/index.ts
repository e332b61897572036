export {
  type AsyncApiOptions,
  asyncApiDocument,
  cloudEventsHeadersSchema,
  generateAsyncApiYaml,
} from './asyncapi.ts';
export {
  type CompatibilityReport,
  type CompatibilityStatus,
  checkCompatibility,
  formatCompatibilityReport,
  type SubjectVerdict,
} from './compatibility-gate.ts';
export {
  ContractDefinitionError,
  ContractError,
  DecodeError,
  type DecodeErrorCode,
  EnvelopeError,
  EventValidationError,
  type FieldIssue,
  RegistryError,
} from './contract-errors.ts';
export {
  defineEvent,
  type EventData,
  type EventDefinition,
  type EventType,
  eventTypeName,
  subjectOf,
  type Upcast,
  upcastChain,
  upcastTo,
} from './define-event.ts';
export { defineTopic, type TopicDefinition, type TopicSpec } from './define-topic.ts';
export {
  DEFAULT_CONTENT_TYPE,
  type EventEnvelope,
  envelopeFromHeaders,
  envelopeHeaders,
  envelopeToHeaders,
  headerValue,
  MAX_ENVELOPE_ATTRIBUTE_LENGTH,
  type NewEnvelopeOptions,
  newEnvelope,
} from './envelope.ts';
export { EventCatalog } from './event-catalog.ts';
export {
  compatibilityLevelOf,
  createSchemaRegistry,
  type DecodedEvent,
  EventCodec,
  type EventCodecOptions,
  issuesOf,
} from './event-codec.ts';
export { type JsonSchema, jsonSchemaOf, jsonSchemaTextOf } from './json-schema-of.ts';
export {
  inventoryTopic,
  OrderCancelled,
  OrderConfirmed,
  type OrderLine,
  OrderPlaced,
  OrderPlacedV1,
  OrderRejected,
  orderCatalog,
  orderEvents,
  orderLine,
  ordersTopic,
  PaymentAuthorized,
  PaymentDeclined,
  paymentsTopic,
  ReleaseStock,
  StockRejected,
  StockReserved,
} from './orders/index.ts';
export { orderAsyncApiYaml } from './orders/order-asyncapi.ts';
export {
  type CompatibilityAnswer,
  type CompatibilityLevel,
  RegistryHttp,
  type SubjectVersion,
} from './registry-http.ts';
export { breaksAt, diffJsonSchemas, type SchemaChange } from './schema-diff.ts';
export { storableText, storableTextMessages, storableTextProblems } from './storable-text.ts';
export { namespacedTopicName, TOPIC_PREFIX_VARIABLE, topicPrefixFrom } from './topic-namespace.ts';
export {
  applyTopicPlan,
  type ConfigChange,
  formatTopicPlan,
  type PlanOptions,
  planHasChanges,
  planTopics,
  type TopicAction,
  type TopicPlan,
} from './topic-plan.ts';
