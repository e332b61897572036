import { runService } from '@fleet/service-kit';
import type { ProcessorDefinition } from './define-processor.ts';
import { deploymentSettings } from './deployment-settings.ts';
import { withReplayTracing } from './event-span.ts';
import { createLogger } from './logger.ts';
import { ProcessorRuntime } from './processor-runtime.ts';
import { loadRuntimeConfig } from './runtime-config.ts';
import { runtimeRequire } from './telemetry.ts';

export interface RunProcessorOptions {
  /**
   * The service's package.json, whose `fleet` block holds its deployment settings (the default HTTP
   * port: `"fleet": { "httpPort": 8102 }`), e.g. `new URL('../package.json', import.meta.url)`.
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
      // HTTP_PORT unset: the service's own default.
      const { httpPort } = deploymentSettings(options.packageJson);
      return { ...config, http: { ...config.http, port: httpPort } };
    },
    configHelp: 'See .env.example for every variable.',
    logger: (config) =>
      createLogger({ service: definition.name, processor: definition.name }, config.logLevel),
    shutdownTimeoutMs: (config) => config.processing.shutdownTimeoutMs,
    start: (config, logger) => {
      if (config.http.port === undefined)
        logger.warn(
          'no HTTP port: set HTTP_PORT or "fleet": { "httpPort" } in the service\'s package.json; no /healthz, /readyz or /metrics',
        );
      const start = () => ProcessorRuntime.start(definition, { config, logger });
      // A replaying instance (PROCESSOR_REPLAY=true) starts traces of its own, linked to the originals.
      return config.processing.replay ? withReplayTracing(start) : start();
    },
    // Tracing (from the OTEL_* variables) starts before the runtime and instruments its `pg`.
    require: runtimeRequire,
  });
}
