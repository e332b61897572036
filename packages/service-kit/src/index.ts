export { ConfigError } from './config-error.ts';
export { runService, type ServiceMain, type Stoppable } from './run-service.ts';
