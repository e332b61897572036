import type { AuditResult } from '@fleet/service-kit';
import { type Kysely, sql } from 'kysely';
import type { Principal } from './auth.ts';

export type { AuditResult };

export interface AuditEntry {
  id: number;
  at: string;
  finishedAt: string | null;
  actor: string;
  role: string;
  via: string;
  selfDeclared: boolean;
  action: string;
  processor: string | null;
  arguments: unknown;
  result: AuditResult;
  status: number | null;
  detail: unknown;
  client: string | null;
}

export const AUDIT_SCHEMA = 'fleet_console';

/**
 * Every write action through the console, in the console's own schema (`fleet_console.audit`):
 * who (the operator, their role and token), what (action, processor, arguments), the result and
 * when. A row is written before the action runs (`pending`) and completed after it, so an action
 * whose outcome was lost (the console stopped midway) still shows who started it.
 */
export class AuditLog {
  readonly #db: Kysely<unknown>;
  readonly #listeners = new Set<(entry: AuditEntry) => void>();

  constructor(db: Kysely<unknown>) {
    this.#db = db;
  }

  async migrate(): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(hashtext('fleet-console-audit'))`.execute(trx);
      await sql`create schema if not exists ${sql.id(AUDIT_SCHEMA)}`.execute(trx);
      await sql`
        create table if not exists ${sql.id(AUDIT_SCHEMA, 'audit')} (
          id bigserial primary key,
          at timestamptz not null default now(),
          finished_at timestamptz,
          actor text not null,
          role text not null,
          via text not null,
          self_declared boolean not null,
          action text not null,
          processor text,
          arguments jsonb not null default '{}'::jsonb,
          result text not null check (result in ('pending', 'ok', 'refused', 'invalid', 'failed', 'denied')),
          status integer,
          detail jsonb,
          client text)`.execute(trx);
      await sql`create index if not exists audit_at on ${sql.id(AUDIT_SCHEMA, 'audit')} (at desc)`.execute(
        trx,
      );
    });
  }

  onChange(listener: (entry: AuditEntry) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async begin(entry: {
    principal: Principal;
    action: string;
    processor: string | undefined;
    arguments: unknown;
    client: string | undefined;
  }): Promise<number> {
    const { rows } = await sql<Row>`
      insert into ${sql.id(AUDIT_SCHEMA, 'audit')} (actor, role, via, self_declared, action, processor, arguments, result, client)
      values (${entry.principal.actor}, ${entry.principal.role}, ${entry.principal.via}, ${entry.principal.selfDeclared},
        ${entry.action}, ${entry.processor ?? null}, ${JSON.stringify(entry.arguments ?? {})}::jsonb, 'pending', ${entry.client ?? null})
      returning *`.execute(this.#db);
    const row = rows[0];
    if (!row) throw new Error('audit insert returned nothing');
    this.#emit(toEntry(row));
    return Number(row.id);
  }

  async finish(id: number, result: AuditResult, status: number, detail: unknown): Promise<AuditEntry> {
    const { rows } = await sql<Row>`
      update ${sql.id(AUDIT_SCHEMA, 'audit')} set result = ${result}, status = ${status},
        detail = ${JSON.stringify(detail ?? null)}::jsonb, finished_at = now()
      where id = ${id} returning *`.execute(this.#db);
    const row = rows[0];
    if (!row) throw new Error(`audit row ${id} is gone`);
    const entry = toEntry(row);
    this.#emit(entry);
    return entry;
  }

  /** A write attempt that was not allowed: recorded whole at once. */
  async record(entry: {
    principal: Principal;
    action: string;
    processor: string | undefined;
    arguments: unknown;
    client: string | undefined;
    result: AuditResult;
    status: number;
    detail: unknown;
  }): Promise<AuditEntry> {
    const id = await this.begin(entry);
    return this.finish(id, entry.result, entry.status, entry.detail);
  }

  async list(
    filter: { limit?: number; before?: number; processor?: string; actor?: string; action?: string } = {},
  ): Promise<AuditEntry[]> {
    const t = sql.id(AUDIT_SCHEMA, 'audit');
    const { rows } = await sql<Row>`
      select * from ${t}
      where (${filter.before ?? null}::bigint is null or id < ${filter.before ?? null}::bigint)
        and (${filter.processor ?? null}::text is null or processor = ${filter.processor ?? null}::text)
        and (${filter.actor ?? null}::text is null or actor = ${filter.actor ?? null}::text)
        and (${filter.action ?? null}::text is null or action = ${filter.action ?? null}::text)
      order by id desc limit ${Math.min(Math.max(filter.limit ?? 100, 1), 1000)}`.execute(this.#db);
    return rows.map(toEntry);
  }

  #emit(entry: AuditEntry): void {
    for (const listener of this.#listeners) listener(entry);
  }
}

interface Row {
  id: string | number;
  at: Date;
  finished_at: Date | null;
  actor: string;
  role: string;
  via: string;
  self_declared: boolean;
  action: string;
  processor: string | null;
  arguments: unknown;
  result: AuditResult;
  status: number | null;
  detail: unknown;
  client: string | null;
}

const toEntry = (r: Row): AuditEntry => ({
  id: Number(r.id),
  at: r.at.toISOString(),
  finishedAt: r.finished_at?.toISOString() ?? null,
  actor: r.actor,
  role: r.role,
  via: r.via,
  selfDeclared: r.self_declared,
  action: r.action,
  processor: r.processor,
  arguments: r.arguments,
  result: r.result,
  status: r.status,
  detail: r.detail,
  client: r.client,
});
