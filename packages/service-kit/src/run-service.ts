import type { Logger } from 'pino';
import { ConfigError } from './config-error.ts';

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
}

/**
 * The main of a service: config from the environment (a bad one stops start-up with the list of
 * problems), start, and stop gracefully on SIGTERM/SIGINT within the shutdown timeout. A signal
 * during start-up stops right after it (the handlers are installed before anything runs); a second
 * signal exits at once.
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
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const logger = main.logger(config);
  const timeoutMs = main.shutdownTimeoutMs(config);
  let signals = 0;
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

  const started = main.start(config, logger);
  await started.catch((error: unknown) => {
    logger.fatal({ err: error }, 'start-up failed');
    process.exit(1);
  });
}
