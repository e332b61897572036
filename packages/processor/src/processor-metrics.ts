import type { Attributes, Meter } from '@opentelemetry/api';
import type { RuntimeEvents } from './runtime-events.ts';

const seconds = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The processor's instruments. Gauges are read from the latest values the runtime observed. */
export class ProcessorMetrics {
  readonly processed;
  readonly duplicates;
  readonly unrouted;
  readonly deadLettered;
  readonly retries;
  readonly published;
  readonly handlerSeconds;
  readonly batchSeconds;
  readonly batchSize;
  readonly #adminAuthFailures;
  /** topic/partition → lag, replaced wholesale by the lag monitor. */
  lag = new Map<string, { topic: string; partition: number; lag: number }>();
  outbox = { count: 0, oldestAgeSeconds: 0 };
  readonly #base: Attributes;

  constructor(meter: Meter, base: Attributes) {
    this.#base = base;
    this.#observeProcess(meter);
    const counter = (name: string, description: string) => meter.createCounter(name, { description });
    this.processed = counter('fleet_events_processed', 'Events applied to projections (new event IDs)');
    this.duplicates = counter(
      'fleet_events_duplicate',
      'Events skipped because their ID was already applied',
    );
    this.unrouted = counter('fleet_events_unrouted', 'Records of event types this processor does not handle');
    this.deadLettered = counter(
      'fleet_events_dead_lettered',
      'Records sent to the dead-letter topic, by reason',
    );
    this.retries = counter(
      'fleet_retries',
      'Retries, by kind (transient: the sub-batch again; split: in halves after a lock conflict; handler: one event; held: an event its route will not skip)',
    );
    this.published = counter('fleet_outbox_published', 'Follow-on events published from the outbox');
    this.#adminAuthFailures = counter(
      'fleet_admin_auth_failures',
      'Admin API requests refused, by reason (missing: no token; invalid: not an admin token; read_only: a read token asking to write)',
    );
    this.handlerSeconds = meter.createHistogram('fleet_handler_duration_seconds', {
      description: 'Time in a handler per call',
      unit: 's',
      advice: { explicitBucketBoundaries: seconds },
    });
    this.batchSeconds = meter.createHistogram('fleet_batch_duration_seconds', {
      description: 'Time per sub-batch: decode, transaction, dead letters',
      unit: 's',
      advice: { explicitBucketBoundaries: seconds },
    });
    this.batchSize = meter.createHistogram('fleet_batch_size', {
      description: 'Records per sub-batch',
      advice: { explicitBucketBoundaries: [1, 5, 10, 50, 100, 250, 500, 1000, 2000, 5000] },
    });
    meter
      .createObservableGauge('fleet_consumer_lag', {
        description: 'Records behind the partition end, per partition',
      })
      .addCallback((result) => {
        for (const { topic, partition, lag } of this.lag.values())
          result.observe(lag, { ...base, topic, partition });
      });
    meter
      .createObservableGauge('fleet_outbox_backlog', {
        description: 'Follow-on events waiting in the outbox',
      })
      .addCallback((result) => result.observe(this.outbox.count, base));
    meter
      .createObservableGauge('fleet_outbox_oldest_age_seconds', {
        description: 'Age of the oldest outbox row',
      })
      .addCallback((result) => result.observe(this.outbox.oldestAgeSeconds, base));
  }

  /** The instance's own memory and CPU, as Prometheus' process collectors name them (console, `fleet status`). */
  #observeProcess(meter: Meter): void {
    meter
      .createObservableGauge('process_resident_memory_bytes', {
        description: 'Resident memory of this instance',
      })
      .addCallback((result) => result.observe(process.memoryUsage.rss(), this.#base));
    meter
      .createObservableCounter('process_cpu_seconds', {
        description: 'CPU time of this instance, user and system',
      })
      .addCallback((result) => {
        const { user, system } = process.cpuUsage();
        result.observe((user + system) / 1e6, this.#base);
      });
  }

  /** Counts what the runtime reports as events (sub-batches, dead letters). */
  observe(events: RuntimeEvents): void {
    events.on('batch.applied', ({ records, seconds: took }) => {
      this.batchSize.record(records, this.#base);
      this.batchSeconds.record(took, this.#base);
    });
    events.on('record.dead_lettered', ({ reason }) => this.deadLettered.add(1, { ...this.#base, reason }));
    events.on('record.held', () => this.retries.add(1, { ...this.#base, kind: 'held' }));
  }

  /** An admin API request that was not let in. */
  adminAuthFailed(reason: string): void {
    this.#adminAuthFailures.add(1, { ...this.#base, reason });
  }

  totalLag(): number {
    let total = 0;
    for (const { lag } of this.lag.values()) total += lag;
    return total;
  }
}
