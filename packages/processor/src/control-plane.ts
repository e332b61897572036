import { hostname } from 'node:os';
import { type Kysely, sql } from 'kysely';
import { type ControlTables, controlTables, ensureControlTables } from './control-tables.ts';

export interface ProcessorRegistration {
  processor: string;
  schema: string;
  groupId: string;
  topics: string[];
  dlqTopic: string;
  dedupeWindowHours: number;
  replay: boolean;
  /** The internal listener (admin API, /metrics, /readyz): what operators' tools call. */
  httpAddress: string | undefined;
  /** The public listener (the service's own routes). */
  publicAddress: string | undefined;
}

/**
 * An instance's part in the fleet's shared control tables (`control-tables.ts`): which processors
 * exist, which instances run and what operators asked of them. Instances heartbeat here and watch
 * `fleet.controls`, so a pause reaches every instance, and each acknowledges it in `fleet.instances`.
 */
export class ControlPlane {
  readonly #db: Kysely<ControlTables>;
  readonly #reg: ProcessorRegistration;
  readonly instanceId: string;

  constructor(db: Kysely<unknown>, registration: ProcessorRegistration, instanceId: string) {
    this.#db = controlTables(db);
    this.#reg = registration;
    this.instanceId = instanceId;
  }

  async register(): Promise<void> {
    await ensureControlTables(this.#db);
    const r = this.#reg;
    await this.#db
      .insertInto('fleet.processors')
      .values({
        group_id: r.groupId,
        name: r.processor,
        db_schema: r.schema,
        topics: r.topics,
        dlq_topic: r.dlqTopic,
        dedupe_window_hours: r.dedupeWindowHours,
        replay: r.replay,
      })
      .onConflict((oc) =>
        oc.column('group_id').doUpdateSet((eb) => ({
          name: eb.ref('excluded.name'),
          db_schema: eb.ref('excluded.db_schema'),
          topics: eb.ref('excluded.topics'),
          dlq_topic: eb.ref('excluded.dlq_topic'),
          dedupe_window_hours: eb.ref('excluded.dedupe_window_hours'),
          replay: eb.ref('excluded.replay'),
          updated_at: sql`now()`,
        })),
      )
      .execute();
    await this.#db
      .insertInto('fleet.instances')
      .values({
        instance_id: this.instanceId,
        group_id: r.groupId,
        host: hostname(),
        pid: process.pid,
        http_address: r.httpAddress ?? null,
        public_address: r.publicAddress ?? null,
      })
      .onConflict((oc) => oc.column('instance_id').doUpdateSet({ last_seen: sql`now()` }))
      .execute();
  }

  /** Records that this instance is alive (and whether it is paused); returns whether operators want it paused. */
  async heartbeat(paused: boolean): Promise<boolean> {
    await this.#db
      .updateTable('fleet.instances')
      .set({ last_seen: sql`now()`, paused })
      .where('instance_id', '=', this.instanceId)
      .execute();
    const control = await this.#db
      .selectFrom('fleet.controls')
      .select('paused')
      .where('group_id', '=', this.#reg.groupId)
      .executeTakeFirst();
    return control?.paused ?? false;
  }

  /** The latest dead-lettering reason, for `fleet status`. */
  async recordError(message: string): Promise<void> {
    await this.#db
      .updateTable('fleet.instances')
      .set({ last_error: message.slice(0, 500), last_error_at: sql`now()` })
      .where('instance_id', '=', this.instanceId)
      .execute();
  }

  async deregister(): Promise<void> {
    await this.#db.deleteFrom('fleet.instances').where('instance_id', '=', this.instanceId).execute();
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
  await controlTables(db)
    .insertInto('fleet.controls')
    .values({ group_id: groupId, paused, requested_by: by })
    .onConflict((oc) =>
      oc.column('group_id').doUpdateSet((eb) => ({
        paused: eb.ref('excluded.paused'),
        requested_by: eb.ref('excluded.requested_by'),
        requested_at: sql`now()`,
      })),
    )
    .execute();
}
