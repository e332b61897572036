import { type AuditEntry, AuditLog } from '@fleet/processor';
import { type CommandContext, print, printJson } from '../command-context.ts';
import { registeredProcessor } from '../processor-catalog.ts';
import { renderTable, truncate } from '../table.ts';

export interface AuditOptions {
  /** A consumer group, or a processor's name (its group, when registered). */
  processor?: string | undefined;
  /** Entries at or after this time (epoch ms). */
  since?: number | undefined;
  limit: number;
}

/** `fleet audit`: who did what to the fleet, newest first, from fleet.audit. */
export async function auditCommand(ctx: CommandContext, options: AuditOptions): Promise<AuditEntry[]> {
  const db = ctx.connections.db;
  const group = options.processor
    ? ((await registeredProcessor(db, options.processor))?.groupId ?? options.processor)
    : undefined;
  const entries = await new AuditLog(db).list({
    processor: group,
    since: options.since === undefined ? undefined : new Date(options.since),
    limit: options.limit,
  });
  if (ctx.json) printJson(ctx, { entries });
  else print(ctx, renderAudit(entries));
  return entries;
}

/** One line per entry; every cell through the table's terminal-safe rendering (names and arguments are the callers'). */
export function renderAudit(entries: AuditEntry[]): string {
  if (entries.length === 0) return 'no audit entries (fleet.audit) match\n';
  return renderTable(
    ['at', 'actor', 'via', 'action', 'processor', 'result', 'arguments', 'detail'],
    entries.map((e) => [
      e.at.replace('T', ' ').slice(0, 19),
      `${e.actor}${e.selfDeclared ? ' (stated)' : ''}`,
      truncate(`${e.source}: ${e.via}`, 40),
      e.action,
      e.processor ?? '',
      `${e.result}${e.status === null ? '' : ` (${e.status})`}`,
      truncate(compact(e.arguments), 50),
      truncate(summary(e.detail), 50),
    ]),
  );
}

const compact = (value: unknown): string =>
  value === null || value === undefined || (typeof value === 'object' && Object.keys(value).length === 0)
    ? ''
    : JSON.stringify(value);

/** An error's code and message, else the answer as JSON. */
function summary(detail: unknown): string {
  const error = (detail as { error?: { code?: string; message?: string } } | null)?.error;
  return error?.code ? `${error.code}: ${error.message ?? ''}` : compact(detail);
}
