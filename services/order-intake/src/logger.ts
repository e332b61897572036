import { traceLogFields } from '@fleet/service-kit';
import { type Logger, pino } from 'pino';

// Credentials stay out of logs; bodies are never logged (Fastify logs method, URL and status only).
const redact = {
  paths: ['req.headers.authorization', 'req.headers["x-api-key"]', 'password', '*.password'],
  censor: '[redacted]',
};

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'order-intake' },
    redact,
    timestamp: pino.stdTimeFunctions.isoTime,
    // Inside a request's span, every line also says which: `trace_id`, `span_id` (next to `correlationId`).
    mixin: traceLogFields,
  });
}

export type { Logger };
