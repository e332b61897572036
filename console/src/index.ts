export { AdminClient, ConsoleError } from './admin-client.ts';
export { type AuditEntry, AuditLog } from './audit-log.ts';
export { Auth, type Principal } from './auth.ts';
export { type ConsoleConfig, loadConsoleConfig } from './config.ts';
export { type RunningConsole, startConsole } from './console-app.ts';
export type { FleetSnapshot, ProcessorView } from './fleet-model.ts';
