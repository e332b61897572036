import { ContractError, EventCodec, type EventType, envelopeToHeaders, newEnvelope } from '@fleet/contracts';
import {
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { Kafka, type KafkaConfig, type Message, Partitioners, type Producer } from 'kafkajs';

const tracer = trace.getTracer('@fleet/producer');

export interface ProducerOptions {
  /** Bootstrap brokers, e.g. `['127.0.0.1:9092']`. */
  brokers: string[];
  /** Confluent-compatible Schema Registry API, e.g. `http://127.0.0.1:8081/apis/ccompat/v7`. */
  registryUrl: string;
  registryAuth?: { username: string; password: string };
  /** CloudEvents `source` of this system, a URI-reference such as `/shop/checkout`. */
  source: string;
  /** The event types this producer may publish; their schemas are registered on `connect()`. */
  events: readonly EventType[];
  clientId?: string;
  /** More kafkajs settings (ssl, sasl, timeouts, logLevel...). */
  kafka?: Omit<KafkaConfig, 'brokers' | 'clientId'>;
}

export interface PublishOptions {
  /** Event id (default: a random UUID). Reuse it when retrying the same business fact. */
  id?: string;
  /** Record key (default: `eventType.key(data)`). */
  key?: string;
  /** Default: the event id (a new flow starts here). */
  correlationId?: string;
  /** Id of the event or command that caused this one. */
  causationId?: string;
  /** CloudEvents subject (default: the record key). */
  subject?: string;
  /**
   * W3C trace context to continue. Default: the active span's (e.g. the HTTP request being served).
   * Either way, when tracing is on the record carries the context of this call's `send` span.
   */
  traceparent?: string;
  tracestate?: string;
  /** Extra headers; they cannot override the CloudEvents ones. */
  headers?: Record<string, string>;
  time?: Date;
}

export interface PublishItem<T = unknown> {
  eventType: EventType<T>;
  data: T;
  options?: PublishOptions;
}

export interface FleetProducer {
  /** Connects to Kafka and registers every event type's schema. Call once before publishing. */
  connect(): Promise<void>;
  /** Validates, encodes and sends one event; resolves to its id once Kafka acknowledged it (acks=all). */
  publish<T>(eventType: EventType<T>, data: T, options?: PublishOptions): Promise<string>;
  /** Validates and encodes every item first (nothing is sent if one is invalid), then sends them together. */
  publishBatch(items: readonly PublishItem[]): Promise<string[]>;
  disconnect(): Promise<void>;
  /** The codec, e.g. to decode what this producer wrote. */
  readonly codec: EventCodec;
}

/** A type-checked batch item: `batchItem(OrderPlaced, data)`. */
export function batchItem<T>(eventType: EventType<T>, data: T, options?: PublishOptions): PublishItem {
  return { eventType, data, ...(options ? { options } : {}) } as PublishItem;
}

/**
 * A producer for upstream systems: zod-validated, schema-registered CloudEvents on Kafka, sent with an
 * idempotent producer (acks=all, one request in flight, so retries neither duplicate nor reorder).
 */
export function createProducer(options: ProducerOptions): FleetProducer {
  const codec = new EventCodec({
    registryUrl: options.registryUrl,
    events: options.events,
    ...(options.registryAuth ? { auth: options.registryAuth } : {}),
  });
  const allowed = new Set(options.events.map((e) => e.type));
  const kafka = new Kafka({
    ...options.kafka,
    clientId: options.clientId ?? 'fleet-producer',
    brokers: options.brokers,
  });
  let producer: Producer | undefined;

  const toMessage = <T>(
    eventType: EventType<T>,
    data: T,
    opts: PublishOptions = {},
  ): { id: string; message: Message; span: Span } => {
    if (!allowed.has(eventType.type))
      throw new ContractError(
        'UNKNOWN_EVENT_TYPE',
        `${eventType.type} is not among this producer's events: add it to createProducer({ events }).`,
      );
    const value = codec.encodeSync(eventType, data);
    const key = opts.key ?? eventType.key(data);
    const env = newEnvelope({
      type: eventType.type,
      source: options.source,
      subject: opts.subject ?? key,
      ...pick(opts, ['id', 'correlationId', 'causationId', 'time']),
    });
    const span = startSendSpan(eventType, env.id, key, opts);
    Object.assign(env, span.traceHeaders);
    return {
      id: env.id,
      span: span.span,
      message: { key, value, headers: { ...opts.headers, ...envelopeToHeaders(env) } },
    };
  };

  const connected = (): Producer => {
    if (!producer)
      throw new ContractError(
        'NOT_CONNECTED',
        'The producer is not connected: await connect() before publishing.',
      );
    return producer;
  };

  return {
    codec,
    async connect() {
      if (producer) return;
      await codec.registerAll();
      const p = kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        // murmur2, as the Java client and the fleet's own producers: a key lands on the same partition.
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await p.connect();
      producer = p;
    },
    async publish(eventType, data, opts) {
      const p = connected();
      const { id, message, span } = toMessage(eventType, data, opts);
      await ended([span], () => p.send({ topic: eventType.topic.name, acks: -1, messages: [message] }));
      return id;
    },
    async publishBatch(items) {
      const p = connected();
      const prepared: { topic: string; id: string; message: Message; span: Span }[] = [];
      try {
        for (const item of items)
          prepared.push({
            topic: item.eventType.topic.name,
            ...toMessage(item.eventType, item.data, item.options),
          });
      } catch (error) {
        for (const { span } of prepared) span.end(); // nothing was sent: no error on them
        throw error;
      }
      const byTopic = new Map<string, Message[]>();
      for (const { topic, message } of prepared) byTopic.set(topic, [...(byTopic.get(topic) ?? []), message]);
      if (prepared.length > 0)
        await ended(
          prepared.map((x) => x.span),
          () =>
            p.sendBatch({
              acks: -1,
              topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
            }),
        );
      return prepared.map((x) => x.id);
    },
    async disconnect() {
      const p = producer;
      producer = undefined;
      await p?.disconnect();
    },
  };
}

/**
 * A `send <topic>` producer span for one event: a child of the given trace context, else of the active
 * span. The record carries the span's context, or (tracing off, a no-op propagator) the given one.
 */
function startSendSpan(
  eventType: EventType,
  id: string,
  key: string,
  opts: PublishOptions,
): { span: Span; traceHeaders: { traceparent?: string; tracestate?: string } } {
  const given = opts.traceparent
    ? { traceparent: opts.traceparent, ...(opts.tracestate ? { tracestate: opts.tracestate } : {}) }
    : {};
  const parent: Context = opts.traceparent ? propagation.extract(ROOT_CONTEXT, given) : context.active();
  const span = tracer.startSpan(
    `send ${eventType.topic.name}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'send',
        'messaging.operation.name': 'send',
        'messaging.destination.name': eventType.topic.name,
        'messaging.message.id': id,
        'messaging.kafka.message.key': key,
        'cloudevents.event_type': eventType.type,
        ...(opts.correlationId ? { 'fleet.correlation_id': opts.correlationId } : {}),
      },
    },
    parent,
  );
  const carrier: Record<string, string> = {};
  propagation.inject(trace.setSpan(parent, span), carrier);
  return { span, traceHeaders: carrier.traceparent ? carrier : given };
}

/** Ends the spans once `send` settled, marking them failed if it threw. */
async function ended<T>(spans: Span[], send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    for (const span of spans) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
    }
    throw error;
  } finally {
    for (const span of spans) span.end();
  }
}

function pick<T extends object, K extends keyof T>(obj: T, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (obj[k] !== undefined) out[k] = obj[k];
  return out;
}
