import type { Meter } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';

export interface Telemetry {
  meter: Meter;
  /** Serves the Prometheus text exposition of the meter's instruments (the HTTP server's /metrics). */
  prometheus: PrometheusExporter;
  shutdown(): Promise<void>;
}

/**
 * Metrics always (OpenTelemetry instruments, exposed for Prometheus on the service's own HTTP server);
 * traces only when the standard OTEL_* variables ask for an exporter, so tests and laptops send nothing.
 */
export function startTelemetry(serviceName: string, env: NodeJS.ProcessEnv = process.env): Telemetry {
  const prometheus = new PrometheusExporter({ preventServerStart: true });
  const meterProvider = new MeterProvider({ readers: [prometheus] });
  const tracingWanted =
    env.OTEL_SDK_DISABLED !== 'true' &&
    Boolean(
      env.OTEL_TRACES_EXPORTER || env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
    );
  // Loaded only when wanted: the SDK and its exporters cost ~16 MB and ~250 ms of start-up.
  const sdk = tracingWanted
    ? import('@opentelemetry/sdk-node').then(({ startNodeSdk }) =>
        startNodeSdk({
          resourceAttributes: { 'service.name': env.OTEL_SERVICE_NAME ?? serviceName },
          metricReaders: [],
        }),
      )
    : undefined;
  return {
    meter: meterProvider.getMeter('@fleet/processor'),
    prometheus,
    async shutdown() {
      await Promise.allSettled([meterProvider.shutdown(), sdk?.then((started) => started.shutdown())]);
    },
  };
}
