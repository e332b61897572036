import { controlTables, type RegisteredProcessor, registeredProcessors } from '@fleet/processor';
import type { Admin } from 'kafkajs';
import { type InferResult, type Kysely, sql } from 'kysely';

/** Instances gone longer than this are not shown any more (a crashed one never deregisters). */
const FORGET_GONE_AFTER = '1 hour';

const instanceRows = (db: Kysely<unknown>, aliveSeconds: number) =>
  controlTables(db)
    .selectFrom('fleet.instances')
    .select((eb) => [
      'instance_id as instanceId',
      'group_id as groupId',
      'host',
      'pid',
      'http_address as httpAddress',
      'paused',
      eb('last_seen', '>', sql<Date>`now() - make_interval(secs => ${aliveSeconds})`)
        .$castTo<boolean>()
        .as('alive'),
      'started_at as startedAt',
      'last_seen as lastSeen',
      'last_error as lastError',
      'last_error_at as lastErrorAt',
    ])
    .where('last_seen', '>', sql<Date>`now() - ${FORGET_GONE_AFTER}::interval`)
    .orderBy('group_id')
    .orderBy('started_at')
    .orderBy('instance_id');

/** A row of `fleet.processors`, as the console shows it. */
export type ProcessorRow = Omit<RegisteredProcessor, 'updatedAt'>;

/** A row of `fleet.instances`, with whether it heartbeated recently. */
export type InstanceRow = InferResult<ReturnType<typeof instanceRows>>[number];

export interface Registry {
  processors: ProcessorRow[];
  instances: InstanceRow[];
  controls: Map<string, { paused: boolean; requestedBy: string; requestedAt: Date }>;
  /** `fleet.rebuilds`: live schema → when the last switch happened. */
  switches: Map<string, Date>;
  /** Which of the schemas asked about exist. */
  schemas: Set<string>;
  outbox: Map<string, { count: number; oldestAgeSeconds: number } | { problem: string }>;
}

/**
 * The fleet's control tables as the runtime keeps them, plus each processor's outbox backlog and
 * which rebuild schemas exist. Read-only; tables that do not exist yet read as empty.
 */
export async function readRegistry(db: Kysely<unknown>, aliveSeconds: number): Promise<Registry> {
  const { rows: present } = await sql<{ name: string }>`
    select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'fleet' and c.relname in ('processors', 'instances', 'controls', 'rebuilds')`.execute(
    db,
  );
  const has = new Set(present.map((r) => r.name));
  const registry: Registry = {
    processors: [],
    instances: [],
    controls: new Map(),
    switches: new Map(),
    schemas: new Set(),
    outbox: new Map(),
  };
  if (!has.has('processors')) return registry;
  registry.processors = await registeredProcessors(db).execute();
  if (has.has('instances')) registry.instances = await instanceRows(db, aliveSeconds).execute();
  if (has.has('controls')) {
    const rows = await controlTables(db)
      .selectFrom('fleet.controls')
      .select(['group_id', 'paused', 'requested_by', 'requested_at'])
      .execute();
    for (const r of rows)
      registry.controls.set(r.group_id, {
        paused: r.paused,
        requestedBy: r.requested_by,
        requestedAt: r.requested_at,
      });
  }
  if (has.has('rebuilds')) {
    const rows = await controlTables(db)
      .selectFrom('fleet.rebuilds')
      .select(['db_schema', 'switched_at'])
      .execute();
    for (const r of rows) registry.switches.set(r.db_schema, r.switched_at);
  }
  const wanted = registry.processors.flatMap((p) => [
    p.schema,
    `${p.schema}__previous`,
    `${p.schema}__rebuild`,
  ]);
  const { rows: schemas } = await sql<{ nspname: string }>`
    select nspname from pg_namespace where nspname = any(${wanted}::text[])`.execute(db);
  registry.schemas = new Set(schemas.map((r) => r.nspname));
  for (const p of registry.processors) {
    if (p.replay || registry.outbox.has(p.schema)) continue;
    try {
      const { rows } = await sql<{ count: number; age: number | null }>`
        select count(*)::int as count, extract(epoch from now() - min(created_at))::float8 as age
        from ${sql.id(p.schema, 'outbox')}`.execute(db);
      registry.outbox.set(p.schema, {
        count: rows[0]?.count ?? 0,
        oldestAgeSeconds: Math.max(0, Math.round(rows[0]?.age ?? 0)),
      });
    } catch (error) {
      registry.outbox.set(p.schema, { problem: `outbox of ${p.schema}: ${(error as Error).message}` });
    }
  }
  return registry;
}

export interface GroupView {
  state: string;
  members: { clientId: string; host: string }[];
}

/** What Kafka says about the processors: groups, committed offsets, partition ends, DLQ sizes. */
export interface KafkaView {
  groups: Map<string, GroupView>;
  /** group → `topic:partition` → committed offset (-1 when none). */
  committed: Map<string, Map<string, number>>;
  ends: Map<string, { partition: number; low: number; high: number }[]>;
  topics: Set<string>;
}

export async function readKafka(admin: Admin, processors: ProcessorRow[]): Promise<KafkaView> {
  const topics = new Set(await admin.listTopics());
  const view: KafkaView = { groups: new Map(), committed: new Map(), ends: new Map(), topics };
  if (processors.length === 0) return view;
  const { groups } = await admin.describeGroups(processors.map((p) => p.groupId));
  for (const g of groups)
    view.groups.set(g.groupId, {
      state: g.state,
      members: g.members.map((m) => ({ clientId: m.clientId, host: m.clientHost.replace(/^\//, '') })),
    });
  const wantedTopics = new Set(
    processors.flatMap((p) => [...p.topics, p.dlqTopic]).filter((t) => topics.has(t)),
  );
  await Promise.all(
    [...wantedTopics].map(async (topic) => {
      const offsets = await admin.fetchTopicOffsets(topic);
      view.ends.set(
        topic,
        offsets
          .map((o) => ({ partition: o.partition, low: Number(o.low), high: Number(o.high) }))
          .sort((a, b) => a.partition - b.partition),
      );
    }),
  );
  await Promise.all(
    processors.map(async (p) => {
      const existing = p.topics.filter((t) => topics.has(t));
      const committed = new Map<string, number>();
      if (existing.length) {
        const offsets = await admin.fetchOffsets({ groupId: p.groupId, topics: existing });
        for (const t of offsets)
          for (const part of t.partitions) committed.set(`${t.topic}:${part.partition}`, Number(part.offset));
      }
      view.committed.set(p.groupId, committed);
    }),
  );
  return view;
}
