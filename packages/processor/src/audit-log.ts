import { type Kysely, type Selectable, sql } from 'kysely';
import {
  type AuditResult,
  type ControlTables,
  controlTables,
  ensureControlTables,
} from './control-tables.ts';

/** Who asked: the name the audit records, what their credential allows and which credential it was. */
export interface AuditActor {
  actor: string;
  role: 'read' | 'write';
  via: string;
  selfDeclared: boolean;
}

export interface AuditStart {
  who: AuditActor;
  /** `admin-api`, `cli` or `console`. */
  source: string;
  instanceId?: string | undefined;
  action: string;
  processor: string | undefined;
  arguments: unknown;
  client?: string | undefined;
}

export interface AuditEntry {
  id: number;
  at: string;
  finishedAt: string | null;
  actor: string;
  role: string;
  via: string;
  selfDeclared: boolean;
  source: string;
  instanceId: string | null;
  action: string;
  processor: string | null;
  arguments: unknown;
  result: AuditResult;
  status: number | null;
  detail: unknown;
  client: string | null;
}

export interface AuditFilter {
  processor?: string | undefined;
  /** Only entries at or after this time. */
  since?: Date | undefined;
  /** Entries before this ID (paging back). */
  before?: number | undefined;
  actor?: string | undefined;
  action?: string | undefined;
  source?: string | undefined;
  /** 1 to 1000, default 100: the newest first. */
  limit?: number | undefined;
}

export { auditResultOf } from '@fleet/service-kit';

/** JSON for a jsonb column: text PostgreSQL stores (no NUL), bounded so that one answer cannot bloat the table. */
function jsonb(value: unknown, max = 16_384): string {
  const text =
    JSON.stringify(value ?? null, (_key, v: unknown) =>
      typeof v === 'string' ? v.toWellFormed().replaceAll('\u0000', '\\0') : v,
    ) ?? 'null';
  return text.length <= max ? text : JSON.stringify({ truncated: true, head: text.slice(0, max) });
}

/**
 * The fleet's audit (`fleet.audit`, defined with the other control tables): every write operation,
 * whoever asked and however, written before it runs (`pending`) and completed after, so that one whose
 * outcome was lost (the process stopped midway) still shows who started it.
 */
export class AuditLog {
  readonly #db: Kysely<ControlTables>;
  #ready: Promise<void> | undefined;

  constructor(db: Kysely<unknown>) {
    this.#db = controlTables(db);
  }

  /** Creates the control tables when this database has none yet (once per process). */
  #ensure(): Promise<void> {
    this.#ready ??= ensureControlTables(this.#db).catch((error: unknown) => {
      this.#ready = undefined;
      throw error;
    });
    return this.#ready;
  }

  async begin(entry: AuditStart): Promise<number> {
    return (await this.start(entry)).id;
  }

  /** `begin`, answering the row as written (`pending`): for a caller that shows it at once. */
  async start(entry: AuditStart): Promise<AuditEntry> {
    await this.#ensure();
    const row = await this.#db
      .insertInto('fleet.audit')
      .values({
        actor: entry.who.actor,
        role: entry.who.role,
        via: entry.who.via,
        self_declared: entry.who.selfDeclared,
        source: entry.source,
        instance_id: entry.instanceId ?? null,
        action: entry.action,
        processor: entry.processor ?? null,
        arguments: jsonb(entry.arguments ?? {}),
        result: 'pending',
        detail: null,
        finished_at: null,
        status: null,
        client: entry.client ?? null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return entryOf(row);
  }

  /** Completes an entry; answers it as completed. */
  async finish(id: number, result: AuditResult, status: number | null, detail: unknown): Promise<AuditEntry> {
    const row = await this.#db
      .updateTable('fleet.audit')
      .set({ result, status, detail: jsonb(detail), finished_at: sql<Date>`now()` })
      .where('id', '=', String(id))
      .returningAll()
      .executeTakeFirstOrThrow();
    return entryOf(row);
  }

  /** An attempt that did not run (not allowed, malformed): recorded whole at once. */
  async record(
    entry: AuditStart & { result: AuditResult; status: number | null; detail: unknown },
  ): Promise<number> {
    const id = await this.begin(entry);
    await this.finish(id, entry.result, entry.status, entry.detail);
    return id;
  }

  /** The newest entries first. A database without the table has none. */
  async list(filter: AuditFilter = {}): Promise<AuditEntry[]> {
    const { rows } = await sql<{ ok: boolean }>`
      select to_regclass('fleet.audit') is not null as ok`.execute(this.#db);
    if (!rows[0]?.ok) return [];
    let query = this.#db.selectFrom('fleet.audit').selectAll();
    if (filter.processor !== undefined) query = query.where('processor', '=', filter.processor);
    if (filter.since !== undefined) query = query.where('at', '>=', filter.since);
    if (filter.before !== undefined) query = query.where('id', '<', String(filter.before));
    if (filter.actor !== undefined) query = query.where('actor', '=', filter.actor);
    if (filter.action !== undefined) query = query.where('action', '=', filter.action);
    if (filter.source !== undefined) query = query.where('source', '=', filter.source);
    const limit = Math.min(Math.max(filter.limit ?? 100, 1), 1000);
    const found = await query.orderBy('id', 'desc').limit(limit).execute();
    return found.map(entryOf);
  }
}

const entryOf = (r: Selectable<ControlTables['fleet.audit']>): AuditEntry => ({
  id: Number(r.id),
  at: r.at.toISOString(),
  finishedAt: r.finished_at?.toISOString() ?? null,
  actor: r.actor,
  role: r.role,
  via: r.via,
  selfDeclared: r.self_declared,
  source: r.source,
  instanceId: r.instance_id,
  action: r.action,
  processor: r.processor,
  arguments: r.arguments,
  result: r.result,
  status: r.status,
  detail: r.detail,
  client: r.client,
});
