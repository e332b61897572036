import { type EventCodec, type EventType, envelopeToHeaders, newEnvelope } from '@fleet/contracts';
import { deterministicId } from './deterministic-id.ts';
import type { PublishOptions } from './handler-context.ts';
import type { OutboxMessage } from './outbox-store.ts';

/** What a follow-on event descends from: an event, or a scheduled decision with an ID of its own. */
export interface FollowOnCause {
  id: string;
  correlationId: string;
  /** W3C trace headers to carry on (the active span's or the cause's). */
  traceHeaders(): { traceparent?: string; tracestate?: string };
}

export interface FollowOnPublisherDeps {
  processor: string;
  codec: EventCodec;
  isReplay: boolean;
}

/**
 * publish() as handlers and schedules see it: encodes now (invalid data fails the caller) and queues an
 * outbox row. The n-th follow-on of a cause gets `deterministicId(cause, processor, n)`, so doing the
 * same work again yields the same IDs and consumers dedupe the republish.
 */
export function followOnPublisher(deps: FollowOnPublisherDeps, outbox: OutboxMessage[]) {
  const counts = new Map<string, number>();
  return async <T>(
    cause: FollowOnCause,
    type: EventType<T>,
    data: T,
    options: PublishOptions = {},
  ): Promise<string> => {
    const index = counts.get(cause.id) ?? 0;
    counts.set(cause.id, index + 1);
    const id = deterministicId(cause.id, deps.processor, index);
    if (deps.isReplay && !options.evenOnReplay) return id;
    const key = options.key ?? type.key(data);
    const value = await deps.codec.encode(type, data);
    const envelope = newEnvelope({
      id,
      type: type.type,
      source: `/fleet/${deps.processor}`,
      subject: options.subject ?? key,
      correlationId: cause.correlationId,
      causationId: cause.id,
      ...cause.traceHeaders(),
    });
    outbox.push({ eventId: id, topic: type.topic.name, key, headers: envelopeToHeaders(envelope), value });
    return id;
  };
}
