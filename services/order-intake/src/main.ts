import { ConfigError, loadConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { type RunningIntake, startIntake } from './start-intake.ts';

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`order-intake: ${error.message}\nSee services/order-intake/README.md for every variable.`);
    process.exit(78); // EX_CONFIG
  }
  throw error;
}
const logger = createLogger(config.logLevel);

let running: Promise<RunningIntake> | undefined;
let signals = 0;
const onSignal = (signal: NodeJS.Signals) => {
  signals++;
  if (signals > 1) {
    logger.warn({ signal }, 'second signal: exiting now');
    process.exit(130);
  }
  logger.info({ signal }, 'stopping gracefully');
  const timeout = setTimeout(() => {
    logger.error({ timeoutMs: config.shutdownTimeoutMs }, 'graceful stop timed out; exiting');
    process.exit(1);
  }, config.shutdownTimeoutMs);
  timeout.unref();
  (running ?? Promise.reject(new Error('not started')))
    .then((intake) => intake.stop())
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

running = startIntake(config, logger);
running.catch((error: unknown) => {
  logger.fatal({ err: error }, 'start-up failed');
  process.exit(1);
});
