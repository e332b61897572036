import { createRequire } from 'node:module';
import { context, trace } from '@opentelemetry/api';
import { ConfigError } from './config-error.ts';

/**
 * Traces from the standard OpenTelemetry variables, for every service of the fleet:
 * `OTEL_TRACES_EXPORTER` (`zipkin`, `otlp`, `console`, `none`; a comma list), the exporters' own
 * endpoints (`OTEL_EXPORTER_ZIPKIN_ENDPOINT`, `OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT`,
 * `OTEL_EXPORTER_OTLP_[TRACES_]PROTOCOL`), `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`,
 * `OTEL_TRACES_SAMPLER[_ARG]`, `OTEL_PROPAGATORS`, `OTEL_BSP_*`, `OTEL_LOG_LEVEL`, `OTEL_SDK_DISABLED`.
 *
 * Off unless an exporter is asked for: then nothing but `@opentelemetry/api` (already loaded, a few
 * hundred kB) is loaded, the API's no-op tracer answers, and no propagator is registered (records keep
 * the trace context they came with, see the processor's `currentTraceHeaders`).
 */
export interface TracingOptions {
  /** `service.name` unless `OTEL_SERVICE_NAME` says otherwise. */
  serviceName: string;
  env?: NodeJS.ProcessEnv;
  /**
   * A `require` that resolves like the caller (`createRequire(import.meta.url)`): the modules it finds
   * (`pg`) are required once more after the instrumentations are registered, which patches them even
   * though ES module imports loaded them first (the patches go on prototypes, so existing pools count).
   */
  require?: NodeJS.Require;
}

export interface Tracing {
  /** The exporters in use; empty when tracing is off. */
  readonly exporters: readonly string[];
  /** Flushes what is buffered and stops, once every holder of this SDK has called it. */
  shutdown(): Promise<void>;
}

const exporterNames = ['zipkin', 'otlp', 'console'] as const;
type ExporterName = (typeof exporterNames)[number];

/** The exporters the environment asks for; empty means tracing is off. A ConfigError on an unknown name. */
export function tracingExporters(env: NodeJS.ProcessEnv = process.env): ExporterName[] {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return [];
  const listed = (env.OTEL_TRACES_EXPORTER ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  if (listed.includes('none')) return [];
  if (listed.length === 0) {
    // Not named: an endpoint alone asks for its exporter (the SDK's default exporter is OTLP).
    if (env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return ['otlp'];
    if (env.OTEL_EXPORTER_ZIPKIN_ENDPOINT) return ['zipkin'];
    return [];
  }
  const unknown = listed.filter((name) => !(exporterNames as readonly string[]).includes(name));
  if (unknown.length > 0)
    throw new ConfigError(
      [
        `OTEL_TRACES_EXPORTER: unknown exporter ${unknown.map((n) => `"${n}"`).join(', ')} (zipkin, otlp, console or none)`,
      ],
      'tracing configuration',
    );
  return [...new Set(listed)] as ExporterName[];
}

interface Started {
  exporters: ExporterName[];
  stop(): Promise<void>;
}

// One SDK per process, shared by whoever asks (the service's main, each processor runtime in it).
let started: Promise<Started> | undefined;
let holders = 0;

/**
 * Starts tracing when the environment asks for it (once per process; later calls share it). Resolves
 * when spans can be recorded, so a service that awaits it before starting loses none.
 */
export async function startTracing(options: TracingOptions): Promise<Tracing> {
  const env = options.env ?? process.env;
  const exporters = tracingExporters(env);
  if (exporters.length === 0 && !started) return { exporters: [], shutdown: async () => {} };
  holders++;
  started ??= startSdk(exporters, options, env);
  let sdk: Started;
  try {
    sdk = await started;
  } catch (error) {
    holders--;
    started = undefined;
    throw error;
  }
  if (options.require) instrumentAgain(options.require);
  let released = false;
  return {
    exporters: sdk.exporters,
    async shutdown() {
      if (released) return;
      released = true;
      if (--holders > 0) return;
      started = undefined;
      await sdk.stop();
    },
  };
}

/** `trace_id` and `span_id` of the active span, for every log line written inside one (pino `mixin`). */
export function traceLogFields(): { trace_id?: string; span_id?: string } {
  const span = trace.getSpan(context.active());
  if (!span) return {};
  const { traceId, spanId, traceFlags } = span.spanContext();
  // A span that is not recorded (sampled out) is nowhere to be found: its IDs would mislead.
  if (!(traceFlags & 1)) return {};
  return { trace_id: traceId, span_id: spanId };
}

// Modules loaded before the instrumentations were registered, required again to get them patched.
const instrumentedModules = ['pg'];
const ownRequire = createRequire(import.meta.url);

function instrumentAgain(require: NodeJS.Require): void {
  for (const name of instrumentedModules) {
    try {
      require(name);
    } catch {
      // Not a dependency of this caller: nothing to patch.
    }
  }
}

async function startSdk(exporters: ExporterName[], options: TracingOptions, env: NodeJS.ProcessEnv) {
  const [{ startNodeSdk }, { BatchSpanProcessor, SimpleSpanProcessor }, http, pg] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/sdk-trace'),
    import('@opentelemetry/instrumentation-http'),
    import('@opentelemetry/instrumentation-pg'),
  ]);
  const number = (name: string) => {
    const value = Number(env[name]);
    return env[name] && Number.isFinite(value) && value >= 0 ? value : undefined;
  };
  const batched = (exporter: import('@opentelemetry/sdk-trace').SpanExporter) =>
    new BatchSpanProcessor({
      exporter,
      maxQueueSize: number('OTEL_BSP_MAX_QUEUE_SIZE'),
      maxExportBatchSize: number('OTEL_BSP_MAX_EXPORT_BATCH_SIZE'),
      scheduledDelayMillis: number('OTEL_BSP_SCHEDULE_DELAY'),
      exportTimeoutMillis: number('OTEL_BSP_EXPORT_TIMEOUT'),
    });
  const spanProcessors = await Promise.all(
    exporters.map(async (name) => {
      switch (name) {
        case 'zipkin': {
          const { ZipkinExporter } = await import('@opentelemetry/exporter-zipkin');
          return batched(
            new ZipkinExporter(
              env.OTEL_EXPORTER_ZIPKIN_ENDPOINT ? { url: env.OTEL_EXPORTER_ZIPKIN_ENDPOINT } : {},
            ),
          );
        }
        case 'otlp':
          return batched(await otlpExporter(env));
        case 'console': {
          const { ConsoleSpanExporter } = await import('@opentelemetry/sdk-trace');
          return new SimpleSpanProcessor({ exporter: new ConsoleSpanExporter() });
        }
      }
    }),
  );
  const opsPaths = new Set(['/healthz', '/readyz', '/metrics']);
  const sdk = startNodeSdk({
    logLevel: env.OTEL_LOG_LEVEL ?? 'warn',
    resourceAttributes: { 'service.name': env.OTEL_SERVICE_NAME || options.serviceName },
    spanProcessors,
    // Metrics stay on the service's own Prometheus endpoint; logs go to stdout (with trace IDs).
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new http.HttpInstrumentation({
        // Probes and scrapes every few seconds are not worth a trace each.
        ignoreIncomingRequestHook: (request) => opsPaths.has((request.url ?? '').split('?')[0] ?? ''),
        // Calls made outside any span (registry look-ups at start-up, polling) stay out of the traces.
        requireParentforOutgoingSpans: true,
      }),
      // Queries outside a span (outbox polling, heartbeats, lag and stall checks) are not traced.
      new pg.PgInstrumentation({ requireParentSpan: true }),
    ],
  });
  // `node:http` was loaded before the hooks existed: require it again to have it patched.
  ownRequire('node:http');
  ownRequire('node:https');
  return { exporters, stop: () => sdk.shutdown() };
}

async function otlpExporter(env: NodeJS.ProcessEnv) {
  const protocol = (
    env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ||
    env.OTEL_EXPORTER_OTLP_PROTOCOL ||
    'http/protobuf'
  ).trim();
  switch (protocol) {
    case 'grpc':
      return new (await import('@opentelemetry/exporter-trace-otlp-grpc')).OTLPTraceExporter();
    case 'http/json':
      return new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter();
    case 'http/protobuf':
      return new (await import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter();
    default:
      throw new ConfigError(
        [
          `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: unknown protocol "${protocol}" (grpc, http/protobuf or http/json)`,
        ],
        'tracing configuration',
      );
  }
}
