import { hostname, userInfo } from 'node:os';
import { FleetError } from '@fleet/errors';
import { type AuditActor, AuditLog, type AuditResult, cleanOperator } from '@fleet/processor';
import { CliError } from './cli-error.ts';
import type { CommandContext } from './command-context.ts';

/** The account that runs the CLI, as the environment or the system names it. */
function osUser(env: Record<string, string | undefined>): string {
  try {
    return env.USER ?? env.LOGNAME ?? userInfo().username;
  } catch {
    return 'unknown';
  }
}

/**
 * Who runs a write command, for `fleet.audit`: FLEET_OPERATOR when set (the person, when the CLI
 * runs under a shared account), else the account. Either is what the caller states (the CLI holds
 * the database's credentials, not a person's): recorded as self-declared.
 */
export function cliActor(env: Record<string, string | undefined>): AuditActor {
  const user = osUser(env);
  return {
    actor: cleanOperator(env.FLEET_OPERATOR) ?? user,
    role: 'write',
    via: `fleet-cli as ${user}@${hostname()}`,
    selfDeclared: true,
  };
}

/** What an exit code says of the operation: refused until the operator acts, malformed, or failed. */
const resultOfExit = (exitCode: number): AuditResult =>
  exitCode === 3 ? 'refused' : exitCode === 2 ? 'invalid' : 'failed';

/**
 * Runs a write command with its record in `fleet.audit`: written before it runs (so a command cut
 * short still shows who started it), completed with its result or its error. A command whose record
 * cannot be written does not run. `status` holds the exit code.
 */
export async function audited<T>(
  ctx: CommandContext,
  what: { action: string; processor: string; arguments: unknown },
  run: () => Promise<T>,
  detail: (result: T) => unknown = (result) => result,
): Promise<T> {
  const log = new AuditLog(ctx.connections.db);
  let id: number;
  try {
    id = await log.begin({ who: cliActor(ctx.io.env), source: 'cli', ...what, client: `pid ${process.pid}` });
  } catch (error) {
    throw new CliError(
      'AUDIT_UNAVAILABLE',
      `not done: its audit record could not be written to fleet.audit: ${(error as Error).message}`,
    );
  }
  let result: T;
  try {
    result = await run();
  } catch (error) {
    const exitCode = error instanceof FleetError ? error.exitCode : 1;
    const code = error instanceof FleetError ? error.code : 'UNEXPECTED';
    await log
      .finish(id, resultOfExit(exitCode), exitCode, { error: { code, message: (error as Error).message } })
      .catch(() => {});
    throw error;
  }
  await log.finish(id, 'ok', 0, detail(result)).catch(() => {});
  return result;
}
