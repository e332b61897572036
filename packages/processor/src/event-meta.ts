/** Where an event came from and what it is: everything but its payload. */
export interface EventMeta {
  id: string;
  /** CloudEvents type as received (an older version when the payload was upcast). */
  type: string;
  source: string;
  subject: string | undefined;
  time: string;
  key: string | null;
  topic: string;
  partition: number;
  offset: string;
  /** Kafka record timestamp (ms since epoch, as a string like kafkajs gives it). */
  timestamp: string;
  correlationId: string;
  causationId: string | undefined;
  traceparent: string | undefined;
  headers: Readonly<Record<string, string>>;
}

/** A decoded, validated event as handlers see it. */
export interface ProcessedEvent<T> {
  data: T;
  meta: EventMeta;
}
