import { runService } from '@fleet/service-kit';
import type { ProcessorDefinition } from './define-processor.ts';
import { deploymentSettings, internalPortFor } from './deployment-settings.ts';
import { withReplayTracing } from './event-span.ts';
import { createLogger } from './logger.ts';
import { ProcessorRuntime } from './processor-runtime.ts';
import { loadRuntimeConfig } from './runtime-config.ts';
import { runtimeRequire } from './telemetry.ts';

export interface RunProcessorOptions {
  /**
   * The service's package.json, whose `fleet` block holds its deployment settings (the default public
   * port: `"fleet": { "httpPort": 8102 }`; the internal one is 1000 above), e.g.
   * `new URL('../package.json', import.meta.url)`.
   */
  packageJson?: URL | string;
}

/**
 * The main of a processor service: config from the environment, start, graceful stop on
 * SIGTERM/SIGINT (see `runService`). Nothing is lost when a stop is cut short: offsets follow the database.
 */
export function runProcessor<DB>(
  definition: ProcessorDefinition<DB>,
  options: RunProcessorOptions = {},
): Promise<void> {
  return runService({
    name: definition.name,
    loadConfig: () => {
      const config = loadRuntimeConfig();
      if (config.http.port !== undefined || !options.packageJson) return config;
      // HTTP_PORT unset: the service's own default, and the internal listener 1000 above it.
      const { httpPort } = deploymentSettings(options.packageJson);
      const internalPort = config.http.internal.port ?? (httpPort && internalPortFor(httpPort));
      return {
        ...config,
        http: { ...config.http, port: httpPort, internal: { ...config.http.internal, port: internalPort } },
      };
    },
    configHelp: 'See .env.example for every variable.',
    logger: (config) =>
      createLogger({ service: definition.name, processor: definition.name }, config.logLevel),
    shutdownTimeoutMs: (config) => config.processing.shutdownTimeoutMs,
    start: (config, logger) => {
      if (config.http.internal.port === undefined)
        logger.warn(
          'no internal HTTP port: set INTERNAL_HTTP_PORT, HTTP_PORT or "fleet": { "httpPort" } in the service\'s package.json; no /healthz, /readyz, /metrics or admin API',
        );
      const start = () => ProcessorRuntime.start(definition, { config, logger });
      // A replaying instance (PROCESSOR_REPLAY=true) starts traces of its own, linked to the originals.
      return config.processing.replay ? withReplayTracing(start) : start();
    },
    // Tracing (from the OTEL_* variables) starts before the runtime and instruments its `pg`.
    require: runtimeRequire,
  });
}
