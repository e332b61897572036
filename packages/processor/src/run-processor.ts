import { runService } from '@fleet/service-kit';
import type { ProcessorDefinition } from './define-processor.ts';
import { withReplayTracing } from './event-span.ts';
import { createLogger } from './logger.ts';
import { ProcessorRuntime } from './processor-runtime.ts';
import { loadRuntimeConfig } from './runtime-config.ts';
import { runtimeRequire } from './telemetry.ts';

/**
 * The main of a processor service: config from the environment, start, graceful stop on
 * SIGTERM/SIGINT (see `runService`). Nothing is lost when a stop is cut short: offsets follow the database.
 */
export function runProcessor<DB>(definition: ProcessorDefinition<DB>): Promise<void> {
  return runService({
    name: definition.name,
    loadConfig: () => loadRuntimeConfig(),
    configHelp: 'See .env.example for every variable.',
    logger: (config) =>
      createLogger({ service: definition.name, processor: definition.name }, config.logLevel),
    shutdownTimeoutMs: (config) => config.processing.shutdownTimeoutMs,
    start: (config, logger) => {
      const start = () => ProcessorRuntime.start(definition, { config, logger });
      // A replaying instance (PROCESSOR_REPLAY=true) starts traces of its own, linked to the originals.
      return config.processing.replay ? withReplayTracing(start) : start();
    },
    // Tracing (from the OTEL_* variables) starts before the runtime and instruments its `pg`.
    require: runtimeRequire,
  });
}
