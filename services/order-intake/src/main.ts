import { runService } from '@fleet/service-kit';
import { loadConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { startIntake } from './start-intake.ts';

await runService({
  name: 'order-intake',
  loadConfig: () => loadConfig(),
  configHelp: 'See services/order-intake/README.md for every variable.',
  logger: (config) => createLogger(config.logLevel, config.apiKeys.header),
  shutdownTimeoutMs: (config) => config.shutdownTimeoutMs,
  start: startIntake,
});
