import type { Logger } from 'pino';
import { ConfigError } from './config-error.ts';
import { startTracing, type Tracing } from './tracing.ts';

export interface Stoppable {
  stop(): Promise<void>;
}

export interface ServiceMain<Config, Service extends Stoppable> {
  name: string;
  /** Parses the environment; a ConfigError stops start-up with exit code 78 (EX_CONFIG). */
  loadConfig(): Config;
  /** Where the variables are documented, printed after a ConfigError. */
  configHelp: string;
  logger(config: Config): Logger;
  shutdownTimeoutMs(config: Config): number;
  start(config: Config, logger: Logger): Promise<Service>;
  /**
   * Resolves like the service's own modules (`createRequire(import.meta.url)`), so that tracing can
   * instrument what the service loaded before it (`pg`). Without it only `node:http` is instrumented.
   */
  require?: NodeJS.Require;
}

/**
 * The main of a service: config from the environment (a bad one stops start-up with the list of
 * problems), tracing from the `OTEL_*` variables (see `startTracing`; off unless an exporter is
 * asked for), start, and stop gracefully on SIGTERM/SIGINT within the shutdown timeout, flushing
 * the spans last. A signal during start-up stops right after it (the handlers are installed before
 * anything runs); a second signal exits at once.
 */
export async function runService<Config, Service extends Stoppable>(
  main: ServiceMain<Config, Service>,
): Promise<void> {
  let config: Config;
  try {
    config = main.loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`${main.name}: ${error.message}\n${main.configHelp}`);
      process.exit(error.exitCode); // 78, EX_CONFIG (the catalogue's CONFIG_INVALID)
    }
    throw error;
  }
  const logger = main.logger(config);
  const timeoutMs = main.shutdownTimeoutMs(config);
  let signals = 0;
  let tracing: Tracing | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(130);
    }
    logger.info({ signal }, 'stopping gracefully');
    setTimeout(() => {
      logger.error({ timeoutMs }, 'graceful stop timed out; exiting');
      process.exit(1);
    }, timeoutMs).unref();
    started
      .then((service) => service.stop())
      .then(() => tracing?.shutdown())
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

  const started = (async () => {
    tracing = await startTracing({
      serviceName: main.name,
      ...(main.require ? { require: main.require } : {}),
    });
    if (tracing.exporters.length > 0) logger.info({ exporters: tracing.exporters }, 'tracing on');
    return main.start(config, logger);
  })();
  await started.catch((error: unknown) => {
    if (error instanceof ConfigError) {
      console.error(`${main.name}: ${error.message}\n${main.configHelp}`);
      process.exit(error.exitCode);
    }
    logger.fatal({ err: error }, 'start-up failed');
    process.exit(1);
  });
}
