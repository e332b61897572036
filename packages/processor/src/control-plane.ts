import { hostname } from 'node:os';
import { type Kysely, sql } from 'kysely';

export interface ProcessorRegistration {
  processor: string;
  schema: string;
  groupId: string;
  topics: string[];
  dlqTopic: string;
  dedupeWindowHours: number;
  replay: boolean;
  httpAddress: string | undefined;
}

/**
 * The fleet's shared control tables (schema `fleet`): which processors exist, which instances run
 * and what operators asked of them. Instances heartbeat here and watch `fleet.controls`, so a
 * pause reaches every instance, and each acknowledges it in `fleet.instances`.
 */
export class ControlPlane {
  readonly #db: Kysely<unknown>;
  readonly #reg: ProcessorRegistration;
  readonly instanceId: string;

  constructor(db: Kysely<unknown>, registration: ProcessorRegistration, instanceId: string) {
    this.#db = db;
    this.#reg = registration;
    this.instanceId = instanceId;
  }

  async register(): Promise<void> {
    await ensureControlTables(this.#db);
    const r = this.#reg;
    await sql`
      insert into fleet.processors (group_id, name, db_schema, topics, dlq_topic, dedupe_window_hours, replay)
      values (${r.groupId}, ${r.processor}, ${r.schema}, ${r.topics}::text[], ${r.dlqTopic}, ${r.dedupeWindowHours}, ${r.replay})
      on conflict (group_id) do update set name = excluded.name, db_schema = excluded.db_schema, topics = excluded.topics,
        dlq_topic = excluded.dlq_topic, dedupe_window_hours = excluded.dedupe_window_hours, replay = excluded.replay,
        updated_at = now()`.execute(this.#db);
    await sql`
      insert into fleet.instances (instance_id, group_id, host, pid, http_address)
      values (${this.instanceId}, ${r.groupId}, ${hostname()}, ${process.pid}, ${r.httpAddress ?? null})
      on conflict (instance_id) do update set last_seen = now()`.execute(this.#db);
  }

  /** Records that this instance is alive (and whether it is paused); returns whether operators want it paused. */
  async heartbeat(paused: boolean): Promise<boolean> {
    await sql`update fleet.instances set last_seen = now(), paused = ${paused} where instance_id = ${this.instanceId}`.execute(
      this.#db,
    );
    const { rows } = await sql<{ paused: boolean }>`
      select paused from fleet.controls where group_id = ${this.#reg.groupId}`.execute(this.#db);
    return rows[0]?.paused ?? false;
  }

  /** The latest dead-lettering reason, for `fleet status`. */
  async recordError(message: string): Promise<void> {
    await sql`update fleet.instances set last_error = ${message.slice(0, 500)}, last_error_at = now()
      where instance_id = ${this.instanceId}`.execute(this.#db);
  }

  async deregister(): Promise<void> {
    await sql`delete from fleet.instances where instance_id = ${this.instanceId}`.execute(this.#db);
  }
}

/** Asks every instance of a consumer group to pause or resume (they poll and acknowledge). */
export async function requestPause(
  db: Kysely<unknown>,
  groupId: string,
  paused: boolean,
  by: string,
): Promise<void> {
  await ensureControlTables(db);
  await sql`
    insert into fleet.controls (group_id, paused, requested_by) values (${groupId}, ${paused}, ${by})
    on conflict (group_id) do update set paused = excluded.paused, requested_by = excluded.requested_by,
      requested_at = now()`.execute(db);
}

/** Creates the control tables once per database; an advisory lock keeps concurrent starts from racing. */
export async function ensureControlTables(db: Kysely<unknown>): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext('fleet-control-tables'))`.execute(trx);
    await sql`create schema if not exists fleet`.execute(trx);
    await sql`
      create table if not exists fleet.processors (
        group_id text primary key,
        name text not null,
        db_schema text not null,
        topics text[] not null,
        dlq_topic text not null,
        dedupe_window_hours integer not null,
        replay boolean not null default false,
        updated_at timestamptz not null default now())`.execute(trx);
    await sql`
      create table if not exists fleet.instances (
        instance_id text primary key,
        group_id text not null,
        host text not null,
        pid integer not null,
        http_address text,
        paused boolean not null default false,
        started_at timestamptz not null default now(),
        last_seen timestamptz not null default now(),
        last_error text,
        last_error_at timestamptz)`.execute(trx);
    // Columns added after the first release: databases created before them get them here.
    await sql`alter table fleet.instances add column if not exists last_error text,
      add column if not exists last_error_at timestamptz`.execute(trx);
    // Where a rebuild switched, so a rollback knows where to catch up from.
    await sql`
      create table if not exists fleet.rebuilds (
        db_schema text primary key,
        switched_at timestamptz not null default now(),
        switch_offsets jsonb not null)`.execute(trx);
    await sql`
      create table if not exists fleet.controls (
        group_id text primary key,
        paused boolean not null,
        requested_by text not null,
        requested_at timestamptz not null default now())`.execute(trx);
  });
}
