import { createRequire } from 'node:module';
import { startTracing } from '@fleet/service-kit';
import type { Meter } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';

export interface Telemetry {
  meter: Meter;
  /** Serves the Prometheus text exposition of the meter's instruments (the HTTP server's /metrics). */
  prometheus: PrometheusExporter;
  shutdown(): Promise<void>;
}

/** Resolves like the runtime, so tracing finds (and instruments) the `pg` the runtime uses. */
export const runtimeRequire = createRequire(import.meta.url);

/**
 * Metrics always (OpenTelemetry instruments, exposed for Prometheus on the service's own HTTP server);
 * traces only when the standard OTEL_* variables ask for an exporter (`startTracing` in
 * @fleet/service-kit), so tests and laptops send nothing. A service's main (`runProcessor`) starts
 * tracing before the runtime and this shares it; a runtime started on its own (tests, a rebuild in
 * the CLI) starts it here, in the background.
 */
export function startTelemetry(serviceName: string, env: NodeJS.ProcessEnv = process.env): Telemetry {
  const prometheus = new PrometheusExporter({ preventServerStart: true });
  const meterProvider = new MeterProvider({ readers: [prometheus] });
  // An unknown exporter name is reported by the service's main (exit 78); here it only means no traces.
  const tracing = startTracing({ serviceName, env, require: runtimeRequire }).catch(() => undefined);
  return {
    meter: meterProvider.getMeter('@fleet/processor'),
    prometheus,
    async shutdown() {
      await Promise.allSettled([meterProvider.shutdown(), tracing.then((t) => t?.shutdown())]);
    },
  };
}
