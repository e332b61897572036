import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** The service's Prometheus instruments, in a registry of its own (several apps may share a process). */
export class IntakeMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'intake_http_requests_total',
    help: 'HTTP requests answered, by route, method and status',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [this.registry],
  });
  readonly requestSeconds = new Histogram({
    name: 'intake_http_request_duration_seconds',
    help: 'Time to answer an HTTP request',
    labelNames: ['route', 'method'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly published = new Counter({
    name: 'intake_events_published_total',
    help: 'Events published to Kafka, by CloudEvents type',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });
  readonly replays = new Counter({
    name: 'intake_idempotent_replays_total',
    help: 'Requests answered from the idempotency store without publishing',
    labelNames: ['route'] as const,
    registers: [this.registry],
  });
  readonly rejected = new Counter({
    name: 'intake_requests_rejected_total',
    help: 'Requests refused, by error code (VALIDATION_FAILED, RATE_LIMITED, IDEMPOTENCY_KEY_REUSED...)',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly authFailures = new Counter({
    name: 'intake_auth_failures_total',
    help: 'Command requests refused with 401, by reason: missing (no key sent) or unknown (not an issued key)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly rateLimitLocalDecisions = new Counter({
    name: 'intake_rate_limit_local_decisions_total',
    help: 'Rate-limit decisions taken in this process because Redis failed (limits are per replica meanwhile)',
    registers: [this.registry],
  });
  readonly rateLimitDegraded = new Gauge({
    name: 'intake_rate_limit_degraded',
    help: '1 while Redis fails and rate limits are enforced in process, else 0',
    registers: [this.registry],
  });

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
  }
}
