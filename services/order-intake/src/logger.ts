import { traceLogFields } from '@fleet/service-kit';
import { type Logger, pino } from 'pino';

// Credentials stay out of logs; bodies are never logged (Fastify logs method, URL and status only).
const redact = (apiKeyHeader: string) => ({
  paths: [
    ...new Set([
      'req.headers.authorization',
      'req.headers["x-api-key"]',
      `req.headers[${JSON.stringify(apiKeyHeader)}]`,
      'password',
      '*.password',
    ]),
  ],
  censor: '[redacted]',
});

export function createLogger(level: string, apiKeyHeader = 'x-api-key'): Logger {
  return pino({
    level,
    base: { service: 'order-intake' },
    redact: redact(apiKeyHeader),
    timestamp: pino.stdTimeFunctions.isoTime,
    // Inside a request's span, every line also says which: `trace_id`, `span_id` (next to `correlationId`).
    mixin: traceLogFields,
  });
}

export type { Logger };
