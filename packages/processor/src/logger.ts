import { AsyncLocalStorage } from 'node:async_hooks';
import { traceLogFields } from '@fleet/service-kit';
import { type Logger, pino } from 'pino';

/** Fields every log line inside a handler carries, whoever logs it. */
export interface EventLogContext {
  eventId: string;
  eventType: string;
  topic: string;
  partition: number;
  offset: string;
  correlationId: string;
}

const eventContext = new AsyncLocalStorage<EventLogContext>();

export function withEventLogContext<T>(context: EventLogContext, work: () => T): T {
  return eventContext.run(context, work);
}

// Payloads and secrets stay out of logs unless someone logs them under another name on purpose.
const redact = {
  paths: [
    'data',
    'payload',
    'value',
    '*.data',
    '*.payload',
    '*.value',
    'password',
    '*.password',
    'headers.authorization',
  ],
  censor: '[redacted]',
};

export function createLogger(
  base: { service: string; processor?: string },
  level: string,
  destination?: pino.DestinationStream,
): Logger {
  const options: pino.LoggerOptions = {
    level,
    base,
    redact,
    timestamp: pino.stdTimeFunctions.isoTime,
    // Inside a span (an event's, a request's) a line also says which: `trace_id`, `span_id`.
    mixin: () => ({ ...eventContext.getStore(), ...traceLogFields() }),
  };
  return destination ? pino(options, destination) : pino(options);
}

export type { Logger };
