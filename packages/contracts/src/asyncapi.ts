import { createRequire } from 'node:module';
import type { EventType } from './define-event.ts';
import type { TopicSpec } from './define-topic.ts';
import { envelopeHeaders } from './envelope.ts';
import { compatibilityLevelOf } from './event-codec.ts';
import { jsonSchemaOf } from './json-schema-of.ts';

export interface AsyncApiOptions {
  events: readonly EventType[];
  title?: string;
  version?: string;
  description?: string;
  /** `ce_source` shown in examples. */
  exampleSource?: string;
}

type Doc = Record<string, unknown>;

const bindingVersion = '0.5.0';
const exampleId = '0b7e6a1c-2f4d-4e8a-9c3b-5d6f7a8b9c0d';
const exampleTime = '2026-03-14T09:26:53.000Z';

/** The CloudEvents 1.0 (Kafka binary mode) headers every message carries. */
export function cloudEventsHeadersSchema(): Doc {
  const str = (description: string, extra: Doc = {}): Doc => ({ type: 'string', description, ...extra });
  return {
    type: 'object',
    description:
      'CloudEvents 1.0 attributes in Kafka headers (protocol binding, binary mode). The value is the data only.',
    required: [
      envelopeHeaders.id,
      envelopeHeaders.source,
      envelopeHeaders.type,
      envelopeHeaders.specversion,
      envelopeHeaders.time,
      envelopeHeaders.contentType,
      envelopeHeaders.correlationId,
    ],
    properties: {
      [envelopeHeaders.id]: str('Unique event id; consumers deduplicate on it.', { minLength: 1 }),
      [envelopeHeaders.source]: str('URI-reference of the producing system.', { minLength: 1 }),
      [envelopeHeaders.type]: str('Event type, <namespace>.<Name>.v<version>.', { minLength: 1 }),
      [envelopeHeaders.specversion]: { type: 'string', const: '1.0' },
      [envelopeHeaders.time]: str('When it happened (RFC 3339).', { format: 'date-time' }),
      [envelopeHeaders.subject]: str('What the event is about, e.g. the order id.'),
      [envelopeHeaders.contentType]: str(
        'datacontenttype: application/json behind the 5-byte Confluent Schema Registry prefix.',
      ),
      [envelopeHeaders.correlationId]: str('The business flow the event belongs to.'),
      [envelopeHeaders.causationId]: str('Id of the event that caused this one.'),
      [envelopeHeaders.traceparent]: str('W3C trace context.'),
      [envelopeHeaders.tracestate]: str('W3C trace context vendor state.'),
    },
  };
}

/** An AsyncAPI 3.0 document of the topics the events live on, as a plain object. */
export function asyncApiDocument(options: AsyncApiOptions): Doc {
  const topics = new Map<string, { topic: TopicSpec; events: EventType[] }>();
  for (const e of options.events) {
    const entry = topics.get(e.topic.name) ?? { topic: e.topic, events: [] };
    entry.events.push(e);
    topics.set(e.topic.name, entry);
  }
  const channels: Doc = {};
  const operations: Doc = {};
  const messages: Doc = {};
  for (const { topic, events } of topics.values()) {
    channels[topic.name] = {
      address: topic.name,
      title: topic.name,
      description: `${topic.description}\n\nRecord key: ${topic.key}.${topic.public ? ' Public topic: schemas evolve under FULL_TRANSITIVE compatibility.' : ''}`,
      messages: Object.fromEntries(events.map((e) => [e.type, { $ref: `#/components/messages/${e.type}` }])),
      bindings: {
        kafka: {
          topic: topic.name,
          partitions: topic.partitions,
          replicas: topic.replicationFactor,
          ...topicConfiguration(topic),
          bindingVersion,
        },
      },
    };
    operations[`send-${topic.name}`] = {
      action: 'send',
      channel: { $ref: `#/channels/${topic.name}` },
      summary: `Events the fleet publishes to ${topic.name}.`,
      messages: events.map((e) => ({ $ref: `#/channels/${topic.name}/messages/${e.type}` })),
    };
    for (const e of events) messages[e.type] = messageOf(e, options.exampleSource ?? '/fleet/example');
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: options.title ?? 'Kafka fleet events',
      version: options.version ?? '1.0.0',
      description:
        options.description ??
        'Events of the fleet, generated from @fleet/contracts. Do not edit: run `pnpm --filter @fleet/contracts asyncapi`.',
    },
    defaultContentType: 'application/json',
    channels,
    operations,
    components: { schemas: { CloudEventsHeaders: cloudEventsHeadersSchema() }, messages },
  };
}

// yaml (CommonJS under Node) is loaded when a document is first written, not on import: a processor
// imports this module through the package index but serves `/asyncapi.yaml` rarely, if ever.
const require = createRequire(import.meta.url);

/** The AsyncAPI document as YAML, e.g. to serve at `/asyncapi.yaml`. */
export function generateAsyncApiYaml(options: AsyncApiOptions): string {
  const { stringify } = require('yaml') as typeof import('yaml');
  return stringify(asyncApiDocument(options), { lineWidth: 0, aliasDuplicateObjects: false });
}

function messageOf(e: EventType, source: string): Doc {
  const { $schema: _ignored, ...payloadSchema } = jsonSchemaOf(e);
  return {
    name: e.name,
    title: `${e.name} v${e.version}`,
    summary: e.description,
    contentType: 'application/json',
    headers: { $ref: '#/components/schemas/CloudEventsHeaders' },
    payload: { schemaFormat: 'application/schema+json;version=draft-07', schema: payloadSchema },
    correlationId: {
      description: 'Correlation id of the business flow',
      location: '$message.header#/ce_correlationid',
    },
    bindings: {
      kafka: {
        key: { type: 'string', description: `${e.topic.key} (${e.name}.key(data))` },
        schemaIdLocation: 'payload',
        schemaIdPayloadEncoding: 'confluent',
        bindingVersion,
      },
    },
    'x-cloudevents-type': e.type,
    'x-schema-registry-subject': e.subject,
    'x-compatibility': compatibilityLevelOf(e),
    ...(e.upcastFrom ? { 'x-upcasts-from': e.upcastFrom.event.type } : {}),
    examples: [
      {
        name: `${e.name}-v${e.version}`,
        headers: {
          [envelopeHeaders.id]: exampleId,
          [envelopeHeaders.source]: source,
          [envelopeHeaders.type]: e.type,
          [envelopeHeaders.specversion]: '1.0',
          [envelopeHeaders.time]: exampleTime,
          [envelopeHeaders.subject]: e.key(e.example),
          [envelopeHeaders.contentType]: 'application/json',
          [envelopeHeaders.correlationId]: exampleId,
        },
        payload: e.example,
      },
    ],
  };
}

function topicConfiguration(topic: TopicSpec): Doc {
  const c = topic.config;
  const conf: Doc = {};
  if (c['cleanup.policy']) conf['cleanup.policy'] = c['cleanup.policy'].split(',').map((s) => s.trim());
  for (const k of ['retention.ms', 'retention.bytes', 'delete.retention.ms', 'max.message.bytes'])
    if (c[k] !== undefined) conf[k] = Number(c[k]);
  return Object.keys(conf).length > 0 ? { topicConfiguration: conf } : {};
}
