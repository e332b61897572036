import type { Logger } from './logger.ts';
import type { RuntimeEvents } from './runtime-events.ts';

/** The log lines of what the runtime reports as events. */
export function logRuntimeEvents(events: RuntimeEvents, logger: Logger): void {
  events.on('record.dead_lettered', ({ topic, partition, offset, reason, error }) =>
    logger.warn({ topic, partition, offset, reason, err: error }, 'record sent to the dead-letter topic'),
  );
  events.on('record.held', ({ topic, partition, offset, eventType, attempts, error }) =>
    logger.error(
      { topic, partition, offset, eventType, attempts, err: error },
      'partition held at an event its route will not skip (onExhausted: stop): fix the handler, or move the group past it',
    ),
  );
  events.on('consumer.lifecycle', ({ from, to, reason }) => {
    if (to === 'restarting') logger.error({ reason, from }, 'restarting the consumer');
    else logger.debug({ from, to, reason }, `consumer ${from} → ${to}`);
  });
}
