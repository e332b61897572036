import type { ProcessorDefinition } from './define-processor.ts';
import { ConfigError } from './errors.ts';
import { createLogger } from './logger.ts';
import { ProcessorRuntime } from './processor-runtime.ts';
import { loadRuntimeConfig } from './runtime-config.ts';

/**
 * The main of a processor service: config from the environment (a bad one stops start-up with the
 * list of problems), start, and stop gracefully on SIGTERM/SIGINT within the shutdown timeout.
 * A second signal exits at once; nothing is lost either way (offsets follow the database).
 */
export async function runProcessor<DB>(definition: ProcessorDefinition<DB>): Promise<void> {
  let config: ReturnType<typeof loadRuntimeConfig>;
  try {
    config = loadRuntimeConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`${definition.name}: ${error.message}\nSee .env.example for every variable.`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const logger = createLogger({ service: definition.name, processor: definition.name }, config.logLevel);
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(130);
    }
    logger.info({ signal }, 'stopping gracefully');
    const timeout = setTimeout(() => {
      logger.error({ timeoutMs: config.processing.shutdownTimeoutMs }, 'graceful stop timed out; exiting');
      process.exit(1);
    }, config.processing.shutdownTimeoutMs);
    timeout.unref();
    // A signal during start-up stops right after it: the handlers are installed before anything runs.
    started
      .then((runtime) => runtime.stop())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'error while stopping');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  const started = ProcessorRuntime.start(definition, { config, logger });
  await started.catch((error: unknown) => {
    logger.fatal({ err: error }, 'start-up failed');
    process.exit(1);
  });
}
