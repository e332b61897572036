import { type EventCodec, envelopeFromHeaders, upcastChain } from '@fleet/contracts';
import type { KafkaMessage } from 'kafkajs';
import type { Route } from './define-processor.ts';
import type { ProcessedEvent } from './event-meta.ts';
import { isTransientError } from './failure-kind.ts';
import { RefusedBatchError, refusedBatchHeader } from './refused-batch.ts';

export type DecodedRecord<DB> =
  | { kind: 'event'; route: Route<DB>; event: ProcessedEvent<unknown>; message: KafkaMessage }
  | { kind: 'unrouted'; message: KafkaMessage }
  | { kind: 'invalid'; error: unknown; message: KafkaMessage };

/**
 * Turns records into events for the routing table. A record whose type the processor does not
 * route is skipped (topics carry several types); one that cannot be read is `invalid`, for the DLQ.
 * Throws only what is worth retrying (see `failure-kind.ts`).
 */
export class RecordDecoder<DB> {
  readonly #codec: EventCodec;
  readonly #routesByType = new Map<string, Route<DB>>();

  constructor(codec: EventCodec, routes: Route<DB>[]) {
    this.#codec = codec;
    for (const route of routes) {
      // A route for v2 also takes v1 records: the codec upcasts them.
      for (const type of [route.event, ...upcastChain(route.event)]) this.#routesByType.set(type.type, route);
    }
  }

  async decode(topic: string, partition: number, message: KafkaMessage): Promise<DecodedRecord<DB>> {
    try {
      // Each header is decoded from its bytes once, and the envelope is read from the strings.
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(message.headers ?? {}))
        if (value !== undefined) headers[name] = Array.isArray(value) ? String(value[0]) : String(value);
      const refused = headers[refusedBatchHeader];
      if (refused !== undefined)
        return { kind: 'invalid', error: new RefusedBatchError(refused, headers), message };
      const envelope = envelopeFromHeaders(headers);
      const route = this.#routesByType.get(envelope.type);
      if (!route) return { kind: 'unrouted', message };
      if (!message.value) throw Object.assign(new Error('record has no value'), { code: 'UNDECODABLE' });
      const data = await this.#codec.decode(message.value, route.event, { type: envelope.type });
      return {
        kind: 'event',
        route,
        message,
        event: {
          data,
          meta: {
            id: envelope.id,
            type: envelope.type,
            source: envelope.source,
            subject: envelope.subject,
            time: envelope.time,
            key: message.key ? message.key.toString() : null,
            topic,
            partition,
            offset: message.offset,
            timestamp: message.timestamp,
            correlationId: envelope.correlationId,
            causationId: envelope.causationId,
            traceparent: envelope.traceparent,
            headers,
          },
        },
      };
    } catch (error) {
      // The registry away while an unknown schema ID is looked up: not the record's fault.
      if (isTransientError(error)) throw error;
      return { kind: 'invalid', error, message };
    }
  }
}
