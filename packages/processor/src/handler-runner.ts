import type { EventCodec, EventType } from '@fleet/contracts';
import type { Meter } from '@opentelemetry/api';
import type { KafkaMessage } from 'kafkajs';
import type { Transaction } from 'kysely';
import type { Route } from './define-processor.ts';
import type { EventMeta, ProcessedEvent } from './event-meta.ts';
import { currentTraceHeaders, inBatchSpan, inEventSpan } from './event-span.ts';
import { type FollowOnCause, followOnPublisher } from './follow-on-publisher.ts';
import type { PublishOptions } from './handler-context.ts';
import { type Logger, withEventLogContext } from './logger.ts';
import type { OutboxMessage } from './outbox-store.ts';
import type { ProcessorMetrics } from './processor-metrics.ts';

/** A decoded record with the route that handles it. */
export type Routed<DB> = { route: Route<DB>; event: ProcessedEvent<unknown>; message: KafkaMessage };

export interface HandlerRunnerDeps {
  processor: string;
  codec: EventCodec;
  logger: Logger;
  metrics: ProcessorMetrics;
  /** Handed to handlers for instruments of their own. */
  meter: Meter;
  isReplay: boolean;
}

/**
 * Runs the handler of a run of one route in the transaction: a batch handler once for the run, an
 * event handler per event (each in its span and log context). Follow-ons go to `outbox`.
 */
export async function runHandler<DB>(
  deps: HandlerRunnerDeps,
  trx: Transaction<DB>,
  run: Routed<DB>[],
  outbox: OutboxMessage[],
): Promise<void> {
  const first = run[0];
  if (!first) return;
  const { route } = first;
  const publishFollowOn = followOnPublisher(deps, outbox);
  const publish = <T>(
    cause: ProcessedEvent<unknown>,
    type: EventType<T>,
    data: T,
    options?: PublishOptions,
  ) => publishFollowOn(causeOf(cause.meta), type, data, options);
  const started = performance.now();
  if (route.kind === 'batch') {
    const events = run.map((r) => r.event);
    await inBatchSpan(
      deps.processor,
      route.event.type,
      events.map((e) => e.meta),
      () =>
        route.handler(events, {
          db: trx,
          log: deps.logger,
          isReplay: deps.isReplay,
          meter: deps.meter,
          publish: (cause, type, data, options) => publish(cause, type, data, options),
        }),
    );
  } else {
    for (const { event } of run) {
      const { meta } = event;
      const context = {
        eventId: meta.id,
        eventType: meta.type,
        topic: meta.topic,
        partition: meta.partition,
        offset: meta.offset,
        correlationId: meta.correlationId,
      };
      await withEventLogContext(context, () =>
        inEventSpan(deps.processor, meta, () =>
          route.handler(event, {
            db: trx,
            log: deps.logger,
            meta,
            isReplay: deps.isReplay,
            meter: deps.meter,
            publish: (type, data, options) => publish(event, type, data, options),
          }),
        ),
      );
    }
  }
  deps.metrics.handlerSeconds.record((performance.now() - started) / 1000, {
    processor: deps.processor,
    event_type: route.event.type,
  });
}

/** Consecutive events with the same route: handlers see them in partition order, never regrouped. */
export function runsOfOneRoute<DB>(items: Routed<DB>[]): Routed<DB>[][] {
  const runs: Routed<DB>[][] = [];
  for (const item of items) {
    const last = runs.at(-1);
    if (last && last[0]?.route === item.route) last.push(item);
    else runs.push([item]);
  }
  return runs;
}

const causeOf = (meta: EventMeta): FollowOnCause => ({
  id: meta.id,
  correlationId: meta.correlationId,
  traceHeaders: () => currentTraceHeaders(meta),
});
