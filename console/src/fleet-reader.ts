import type { Admin } from 'kafkajs';
import { type Kysely, sql } from 'kysely';

/** A row of `fleet.processors`. */
export interface ProcessorRow {
  groupId: string;
  name: string;
  schema: string;
  topics: string[];
  dlqTopic: string;
  dedupeWindowHours: number;
  replay: boolean;
}

/** A row of `fleet.instances`, with whether it heartbeated recently. */
export interface InstanceRow {
  instanceId: string;
  groupId: string;
  host: string;
  pid: number;
  httpAddress: string | null;
  paused: boolean;
  alive: boolean;
  startedAt: Date;
  lastSeen: Date;
  lastError: string | null;
  lastErrorAt: Date | null;
}

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

/** Instances gone longer than this are not shown any more (a crashed one never deregisters). */
const FORGET_GONE_AFTER = '1 hour';

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
  const { rows: processors } = await sql<{
    group_id: string;
    name: string;
    db_schema: string;
    topics: string[];
    dlq_topic: string;
    dedupe_window_hours: number;
    replay: boolean;
  }>`select group_id, name, db_schema, topics, dlq_topic, dedupe_window_hours, replay
     from fleet.processors order by name, group_id`.execute(db);
  registry.processors = processors.map((r) => ({
    groupId: r.group_id,
    name: r.name,
    schema: r.db_schema,
    topics: r.topics,
    dlqTopic: r.dlq_topic,
    dedupeWindowHours: r.dedupe_window_hours,
    replay: r.replay,
  }));
  if (has.has('instances')) {
    const { rows } = await sql<{
      instance_id: string;
      group_id: string;
      host: string;
      pid: number;
      http_address: string | null;
      paused: boolean;
      alive: boolean;
      started_at: Date;
      last_seen: Date;
      last_error: string | null;
      last_error_at: Date | null;
    }>`select instance_id, group_id, host, pid, http_address, paused,
         last_seen > now() - make_interval(secs => ${aliveSeconds}) as alive,
         started_at, last_seen, last_error, last_error_at
       from fleet.instances where last_seen > now() - ${FORGET_GONE_AFTER}::interval
       order by group_id, started_at, instance_id`.execute(db);
    registry.instances = rows.map((r) => ({
      instanceId: r.instance_id,
      groupId: r.group_id,
      host: r.host,
      pid: r.pid,
      httpAddress: r.http_address,
      paused: r.paused,
      alive: r.alive,
      startedAt: r.started_at,
      lastSeen: r.last_seen,
      lastError: r.last_error,
      lastErrorAt: r.last_error_at,
    }));
  }
  if (has.has('controls')) {
    const { rows } = await sql<{
      group_id: string;
      paused: boolean;
      requested_by: string;
      requested_at: Date;
    }>`
      select group_id, paused, requested_by, requested_at from fleet.controls`.execute(db);
    for (const r of rows)
      registry.controls.set(r.group_id, {
        paused: r.paused,
        requestedBy: r.requested_by,
        requestedAt: r.requested_at,
      });
  }
  if (has.has('rebuilds')) {
    const { rows } = await sql<{ db_schema: string; switched_at: Date }>`
      select db_schema, switched_at from fleet.rebuilds`.execute(db);
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
