import type { AuditResult } from '@fleet/service-kit';
import { type ColumnType, type Generated, type Kysely, sql } from 'kysely';

/**
 * The fleet's shared control tables (schema `fleet`), the one definition of them: their types for
 * Kysely here, and `ensureControlTables` below creates them to match. Every reader and writer (the
 * runtime, the `fleet` CLI, the console) goes through these types (`controlTables(db)`), so a renamed
 * column fails to compile rather than at run time.
 */
// A type, not an interface: Kysely's withTables wants a record type.
export type ControlTables = {
  /** Which processors exist: one row per consumer group, written when an instance starts. */
  'fleet.processors': {
    group_id: string;
    name: string;
    db_schema: string;
    topics: string[];
    dlq_topic: string;
    dedupe_window_hours: number;
    replay: Generated<boolean>;
    updated_at: Generated<Date>;
  };
  /** Which instances run: each heartbeats here and acknowledges a pause by setting `paused`. */
  'fleet.instances': {
    instance_id: string;
    group_id: string;
    host: string;
    pid: number;
    /** Its internal listener (admin API, /metrics, /readyz): where `fleet status` and the console call it. */
    http_address: string | null;
    /** Its public listener (the service's own routes), when it serves them. */
    public_address: Generated<string | null>;
    paused: Generated<boolean>;
    started_at: Generated<Date>;
    last_seen: Generated<Date>;
    last_error: string | null;
    last_error_at: Date | null;
  };
  /** What operators asked of a consumer group (pause or resume), and who asked. */
  'fleet.controls': {
    group_id: string;
    paused: boolean;
    requested_by: string;
    requested_at: Generated<Date>;
  };
  /** Where a rebuild switched (`topic:partition` → offset), so a rollback knows where to catch up from. */
  'fleet.rebuilds': {
    db_schema: string;
    switched_at: Generated<Date>;
    switch_offsets: ColumnType<Record<string, string>, string, string>;
  };
  /**
   * Who did what to the fleet: every write operation (pause, redrive, purge, replay, rebuild…) through
   * a processor's admin API, the `fleet` CLI or the console, refused and denied ones too. A row is
   * written before the operation runs (`pending`) and completed after it.
   */
  'fleet.audit': {
    id: Generated<string>;
    at: Generated<Date>;
    finished_at: Date | null;
    /** The operator: a token's holder, or the name the caller stated. */
    actor: string;
    /** What their credential allows: `read` or `write`. */
    role: string;
    /** Which credential: `token of <name>`, `shared write token`, `fleet-cli`… */
    via: string;
    /** The actor is a name the caller gave, not one bound to the credential. */
    self_declared: boolean;
    /** Where it was asked: `admin-api`, `cli` or `console`. */
    source: string;
    /** The instance whose admin API ran it. */
    instance_id: string | null;
    action: string;
    /** The consumer group it acted on. */
    processor: string | null;
    arguments: ColumnType<unknown, string, string>;
    result: AuditResult;
    /** HTTP status of the answer, or the CLI's exit code. */
    status: number | null;
    detail: ColumnType<unknown, string | null, string | null>;
    /** The caller's address and user agent. */
    client: string | null;
  };
};

export type { AuditResult };

/** A connection (any schema on its search_path) seen with the control tables' types. */
export const controlTables = (db: Kysely<unknown>): Kysely<ControlTables> => db.withTables<ControlTables>();

/**
 * The statements that create the control tables, idempotent: run by `ensureControlTables` and printed
 * by `fleet provision` (an administrator creates them once when processors run as least-privileged roles).
 */
export const controlTableStatements: readonly string[] = [
  'create schema if not exists fleet',
  `create table if not exists fleet.processors (
    group_id text primary key,
    name text not null,
    db_schema text not null,
    topics text[] not null,
    dlq_topic text not null,
    dedupe_window_hours integer not null,
    replay boolean not null default false,
    updated_at timestamptz not null default now())`,
  `create table if not exists fleet.instances (
    instance_id text primary key,
    group_id text not null,
    host text not null,
    pid integer not null,
    http_address text,
    paused boolean not null default false,
    started_at timestamptz not null default now(),
    last_seen timestamptz not null default now(),
    last_error text,
    last_error_at timestamptz)`,
  // Columns added after the first release: databases created before them get them here.
  `alter table fleet.instances add column if not exists last_error text,
    add column if not exists last_error_at timestamptz,
    add column if not exists public_address text`,
  `create table if not exists fleet.rebuilds (
    db_schema text primary key,
    switched_at timestamptz not null default now(),
    switch_offsets jsonb not null)`,
  `create table if not exists fleet.controls (
    group_id text primary key,
    paused boolean not null,
    requested_by text not null,
    requested_at timestamptz not null default now())`,
  `create table if not exists fleet.audit (
    id bigserial primary key,
    at timestamptz not null default now(),
    finished_at timestamptz,
    actor text not null,
    role text not null,
    via text not null,
    self_declared boolean not null,
    source text not null,
    instance_id text,
    action text not null,
    processor text,
    arguments jsonb not null default '{}'::jsonb,
    result text not null check (result in ('pending', 'ok', 'refused', 'invalid', 'failed', 'denied')),
    status integer,
    detail jsonb,
    client text)`,
  'create index if not exists audit_processor_at on fleet.audit (processor, at desc)',
  'create index if not exists audit_at on fleet.audit (at desc)',
];

/**
 * Every table and every column added since the first release: when all are there, nothing is left to
 * create, and a role that may not create them (a processor's own role) does not try.
 */
const currentColumns: readonly [string, string][] = [
  ['processors', 'replay'],
  ['instances', 'public_address'],
  ['instances', 'last_error_at'],
  ['rebuilds', 'switch_offsets'],
  ['controls', 'requested_by'],
  ['audit', 'client'],
];

async function controlTablesCurrent<DB>(db: Kysely<DB>): Promise<boolean> {
  const wanted = currentColumns.map(([table, column]) => `${table}.${column}`);
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from pg_attribute a
    join pg_class c on c.oid = a.attrelid
    join pg_namespace s on s.oid = c.relnamespace
    where s.nspname = 'fleet' and not a.attisdropped
      and c.relname || '.' || a.attname = any(${wanted}::text[])`.execute(db);
  return rows[0]?.n === wanted.length;
}

/**
 * Creates the control tables once per database, unless they are there already (then it needs no
 * privilege at all); an advisory lock keeps concurrent starts from racing.
 */
export async function ensureControlTables<DB>(db: Kysely<DB>): Promise<void> {
  if (await controlTablesCurrent(db)) return;
  await db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext('fleet-control-tables'))`.execute(trx);
    try {
      for (const statement of controlTableStatements) await sql.raw(statement).execute(trx);
    } catch (error) {
      if ((error as { code?: string }).code !== '42501') throw error;
      throw new Error(
        'the fleet control tables (schema fleet) are missing or out of date, and this database role may not create them: have an administrator run `fleet provision` (or start once as the database owner)',
        { cause: error },
      );
    }
  });
}
