import {
  type AuditResult,
  ensureControlTables,
  AuditLog as FleetAuditLog,
  type AuditEntry as FleetEntry,
} from '@fleet/processor';
import type { Kysely } from 'kysely';
import type { Principal } from './auth.ts';

export type { AuditResult };
export type AuditEntry = FleetEntry;

/** What a console write is recorded with: who, what, on which processor, from where. */
interface ConsoleAction {
  principal: Principal;
  action: string;
  processor: string | undefined;
  arguments: unknown;
  client: string | undefined;
}

/**
 * Every write action through the console, in the fleet's one audit (`fleet.audit`, source `console`),
 * beside those of the admin API and the CLI, so that `fleet audit` and this page show the same trail.
 * A row is written before the action runs (`pending`) and completed after it, so an action whose
 * outcome was lost (the console stopped midway) still shows who started it. `onChange` feeds the
 * page's live audit list.
 */
export class AuditLog {
  readonly #db: Kysely<unknown>;
  readonly #log: FleetAuditLog;
  readonly #listeners = new Set<(entry: AuditEntry) => void>();

  constructor(db: Kysely<unknown>) {
    this.#db = db;
    this.#log = new FleetAuditLog(db);
  }

  /** At start-up: the control tables exist (or the role may not create them: a clear error). */
  async migrate(): Promise<void> {
    await ensureControlTables(this.#db);
  }

  onChange(listener: (entry: AuditEntry) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async begin(entry: ConsoleAction): Promise<number> {
    const { principal } = entry;
    const started = await this.#log.start({
      who: {
        actor: principal.actor,
        role: principal.role,
        via: principal.via,
        selfDeclared: principal.selfDeclared,
      },
      source: 'console',
      action: entry.action,
      processor: entry.processor,
      arguments: entry.arguments,
      client: entry.client,
    });
    return this.#emit(started).id;
  }

  async finish(id: number, result: AuditResult, status: number, detail: unknown): Promise<AuditEntry> {
    return this.#emit(await this.#log.finish(id, result, status, detail));
  }

  /** A write attempt that was not allowed: recorded whole at once. */
  async record(
    entry: ConsoleAction & { result: AuditResult; status: number; detail: unknown },
  ): Promise<AuditEntry> {
    const id = await this.begin(entry);
    return await this.finish(id, entry.result, entry.status, entry.detail);
  }

  /** The newest first, every source's (filter by `source` for the console's own). */
  list(
    filter: {
      limit?: number;
      before?: number;
      processor?: string;
      actor?: string;
      action?: string;
      source?: string;
    } = {},
  ): Promise<AuditEntry[]> {
    return this.#log.list(filter);
  }

  #emit(entry: AuditEntry): AuditEntry {
    for (const listener of this.#listeners) listener(entry);
    return entry;
  }
}
