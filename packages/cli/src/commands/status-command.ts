import { controlTables, fetchGroupLag, type PartitionLag } from '@fleet/processor';
import { sql } from 'kysely';
import { type CommandContext, print, printJson } from '../command-context.ts';
import {
  formatCpu,
  formatMemory,
  type InstanceResources,
  readInstanceResources,
} from '../instance-resources.ts';
import { listProcessors, type RegisteredProcessor } from '../processor-catalog.ts';
import { renderTable, truncate } from '../table.ts';

/** An instance counts as alive when it heartbeated within this long (they heartbeat every second). */
export const aliveWithinSeconds = 15;

/** The moment an instance must have heartbeated after to count as alive: `last_seen > heartbeatSince(s)`. */
export const heartbeatSince = (seconds: number) => sql<Date>`now() - make_interval(secs => ${seconds})`;

export interface ProcessorStatus {
  processor: string;
  groupId: string;
  schema: string;
  topics: string[];
  dlqTopic: string;
  dedupeWindowHours: number;
  replay: boolean;
  group: { state: string; members: { memberId: string; clientId: string; host: string }[] };
  instances: {
    total: number;
    alive: number;
    paused: number;
    ids: string[];
    /** Each live instance's RSS and CPU, from its /metrics. */
    resources: InstanceResources[];
  };
  lag: { total: number | null; partitions: PartitionLag[] };
  ratePerSecond: number | null;
  outbox: { count: number; oldestAgeSeconds: number } | null;
  dlqCount: number | null;
  lastError: { message: string; at: string; instanceId: string } | null;
  /** What could not be read (a missing topic or schema), instead of failing the whole status. */
  problems: string[];
}

/** `fleet status`: every registered processor, from Kafka and the control tables. */
export async function statusCommand(ctx: CommandContext): Promise<ProcessorStatus[]> {
  const db = ctx.connections.db;
  const processors = await listProcessors(db);
  const admin = await ctx.connections.admin();
  const existingTopics = new Set(await admin.listTopics());
  const groups = processors.length
    ? (await admin.describeGroups(processors.map((p) => p.groupId))).groups
    : [];
  const instances = processors.length
    ? await controlTables(db)
        .selectFrom('fleet.instances')
        .select((eb) => [
          'instance_id',
          'group_id',
          'http_address',
          'paused',
          eb('last_seen', '>', heartbeatSince(aliveWithinSeconds)).$castTo<boolean>().as('alive'),
          'last_error',
          'last_error_at',
        ])
        .orderBy('instance_id')
        .execute()
    : [];
  // Every live instance's /metrics read at once (two readings a second apart give the CPU rate).
  const resources = await readInstanceResources(
    instances.filter((i) => i.alive).map((i) => ({ instanceId: i.instance_id, httpAddress: i.http_address })),
  );
  const statuses: ProcessorStatus[] = [];
  for (const p of processors) {
    const problems: string[] = [];
    const group = groups.find((g) => g.groupId === p.groupId);
    const mine = instances.filter((i) => i.group_id === p.groupId);
    const alive = mine.filter((i) => i.alive);
    const lastErr = mine
      .filter((i) => i.last_error && i.last_error_at)
      .sort((a, b) => Number(b.last_error_at) - Number(a.last_error_at))[0];
    const missing = p.topics.filter((t) => !existingTopics.has(t));
    if (missing.length) problems.push(`topic(s) ${missing.join(', ')} do not exist`);
    const lag = missing.length ? [] : await fetchGroupLag(admin, p.groupId, p.topics);
    statuses.push({
      processor: p.name,
      groupId: p.groupId,
      schema: p.schema,
      topics: p.topics,
      dlqTopic: p.dlqTopic,
      dedupeWindowHours: p.dedupeWindowHours,
      replay: p.replay,
      group: {
        state: group?.state ?? 'Unknown',
        members: (group?.members ?? []).map((m) => ({
          memberId: m.memberId,
          clientId: m.clientId,
          host: m.clientHost.replace(/^\//, ''),
        })),
      },
      instances: {
        total: mine.length,
        alive: alive.length,
        paused: alive.filter((i) => i.paused).length,
        ids: alive.map((i) => i.instance_id),
        resources: resources.filter((r) => alive.some((i) => i.instance_id === r.instanceId)),
      },
      lag: { total: missing.length ? null : lag.reduce((s, l) => s + l.lag, 0), partitions: lag },
      ...(await schemaFigures(ctx, p, problems)),
      dlqCount: existingTopics.has(p.dlqTopic)
        ? (await admin.fetchTopicOffsets(p.dlqTopic)).reduce((s, o) => s + Number(o.high) - Number(o.low), 0)
        : 0,
      lastError:
        lastErr?.last_error && lastErr.last_error_at
          ? {
              message: lastErr.last_error,
              at: lastErr.last_error_at.toISOString(),
              instanceId: lastErr.instance_id,
            }
          : null,
      problems,
    });
  }
  if (ctx.json) printJson(ctx, { processors: statuses });
  else print(ctx, renderStatus(statuses));
  return statuses;
}

async function schemaFigures(
  ctx: CommandContext,
  p: RegisteredProcessor,
  problems: string[],
): Promise<Pick<ProcessorStatus, 'ratePerSecond' | 'outbox'>> {
  try {
    const { rows: rate } = await sql<{ n: number }>`
      select count(*)::int as n from ${sql.id(p.schema, 'processed_events')}
      where processed_at > now() - interval '1 minute'`.execute(ctx.connections.db);
    const { rows: outbox } = await sql<{ count: number; age: number | null }>`
      select count(*)::int as count, extract(epoch from now() - min(created_at))::float8 as age
      from ${sql.id(p.schema, 'outbox')}`.execute(ctx.connections.db);
    return {
      ratePerSecond: Math.round(((rate[0]?.n ?? 0) / 60) * 100) / 100,
      outbox: { count: outbox[0]?.count ?? 0, oldestAgeSeconds: Math.round(outbox[0]?.age ?? 0) },
    };
  } catch (error) {
    problems.push(`schema ${p.schema}: ${(error as Error).message}`);
    return { ratePerSecond: null, outbox: null };
  }
}

export function renderStatus(statuses: ProcessorStatus[]): string {
  if (statuses.length === 0)
    return 'no processors registered in fleet.processors (each registers itself when it starts; check --database-url)\n';
  const main = renderTable(
    ['processor', 'group', 'instances', 'lag', 'rate/s', 'outbox', 'dlq', 'schema', 'dedupe', 'last error'],
    statuses.map((s) => [
      s.processor === s.groupId ? s.processor : `${s.processor} (${s.groupId})`,
      `${s.group.state} ${s.group.members.length}m`,
      `${s.instances.alive} alive${s.instances.paused ? `, ${s.instances.paused} paused` : ''}`,
      s.lag.total ?? 'n/a',
      s.ratePerSecond ?? 'n/a',
      s.outbox
        ? `${s.outbox.count}${s.outbox.count ? ` (${formatAge(s.outbox.oldestAgeSeconds)})` : ''}`
        : 'n/a',
      s.dlqCount ?? 'n/a',
      `${s.schema}${s.replay ? ' (replay)' : ''}`,
      `${s.dedupeWindowHours}h`,
      s.lastError
        ? `${formatAge((Date.now() - Date.parse(s.lastError.at)) / 1000)} ago: ${truncate(s.lastError.message, 40)}`
        : '',
    ]),
  );
  const lag = renderTable(
    ['processor', 'topic', 'partition', 'lag'],
    statuses.flatMap((s) => s.lag.partitions.map((l) => [s.processor, l.topic, l.partition, l.lag])),
  );
  const instances = renderTable(
    ['processor', 'instance', 'rss', 'cpu'],
    statuses.flatMap((s) =>
      s.instances.resources.map((r) => [
        s.processor,
        r.instanceId,
        formatMemory(r.rssBytes),
        formatCpu(r.cpuPercent),
      ]),
    ),
  );
  const problems = statuses.flatMap((s) => [
    ...s.problems.map((p) => `! ${s.processor}: ${p}`),
    ...s.instances.resources.flatMap((r) => (r.problem ? [`! ${r.instanceId}: ${r.problem}`] : [])),
  ]);
  return `${main}\ninstances (resident memory; CPU in % of one core over 1 s)\n${instances}\nlag per partition\n${lag}${problems.length ? `\n${problems.join('\n')}\n` : ''}`;
}

export function formatAge(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)}s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)}m`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86_400)}d`;
}
