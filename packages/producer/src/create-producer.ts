import { ContractError, EventCodec, type EventType, envelopeToHeaders, newEnvelope } from '@fleet/contracts';
import { Kafka, type KafkaConfig, type Message, Partitioners, type Producer } from 'kafkajs';

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
  /** W3C trace context. */
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
  ): { id: string; message: Message } => {
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
      ...pick(opts, ['id', 'correlationId', 'causationId', 'traceparent', 'tracestate', 'time']),
    });
    return { id: env.id, message: { key, value, headers: { ...opts.headers, ...envelopeToHeaders(env) } } };
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
      const { id, message } = toMessage(eventType, data, opts);
      await p.send({ topic: eventType.topic.name, acks: -1, messages: [message] });
      return id;
    },
    async publishBatch(items) {
      const p = connected();
      const prepared = items.map((item) => ({
        topic: item.eventType.topic.name,
        ...toMessage(item.eventType, item.data, item.options),
      }));
      const byTopic = new Map<string, Message[]>();
      for (const { topic, message } of prepared) byTopic.set(topic, [...(byTopic.get(topic) ?? []), message]);
      if (prepared.length > 0)
        await p.sendBatch({
          acks: -1,
          topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
        });
      return prepared.map((x) => x.id);
    },
    async disconnect() {
      const p = producer;
      producer = undefined;
      await p?.disconnect();
    },
  };
}

function pick<T extends object, K extends keyof T>(obj: T, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (obj[k] !== undefined) out[k] = obj[k];
  return out;
}
