import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin, Kafka } from 'kafkajs';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { ensureControlTables, requestPause } from '../control-plane.ts';
import { createDatabase } from '../database.ts';
import type { ProcessorDefinition } from '../define-processor.ts';
import { withReplayTracing } from '../event-span.ts';
import { createKafka } from '../kafka-client.ts';
import { createLogger, type Logger } from '../logger.ts';
import { firstAvailableTimes } from '../operations/first-available.ts';
import { OperationError } from '../operations/operation-error.ts';
import type { RuntimeConfig } from '../runtime-config.ts';
import {
  committedOffsets,
  distance,
  type PartitionOffsets,
  partitionKey,
  replayStart,
} from './partition-offsets.ts';
import type { Replica, StartReplica } from './replica.ts';
import { dropSchema, schemaExists, swapSchemas, versionSchemas } from './schema-swap.ts';

/** A rebuild's refusal or failure; what each code means to the CLI and the admin API is in the catalogue. */
export class RebuildError extends OperationError {}

export interface RetentionGap {
  topic: string;
  partition: number;
  earliestAvailable: string;
  /** When the first record still in the partition was written; null when none is left. */
  firstAvailableAt: string | null;
}

export interface RebuildProgress {
  phase: 'catching-up' | 'switching' | 'done';
  done: number;
  total: number;
  perSecond: number;
  etaSeconds: number | undefined;
}

export interface RebuildOptions {
  config: RuntimeConfig;
  from?: 'earliest' | Date;
  acceptPartial?: boolean;
  onProgress?: (progress: RebuildProgress) => void;
  signal?: AbortSignal;
  logger?: Logger;
  /** How long live instances may take to acknowledge the pause around the switch. */
  switchTimeoutMs?: number;
  /** Starts the consumer that fills the new schema (the runtime, passed in: rebuild does not import it). */
  startReplica: StartReplica;
}

export interface RebuildResult {
  events: number;
  seconds: number;
  schema: string;
  keptAs: string;
}

/**
 * Rebuilds a processor's projections side by side while the live version keeps serving reads:
 * a new schema is filled by its own consumer group in replay mode (follow-ons suppressed), never
 * past the live group's position; then the live instances pause, the rebuild reaches exactly their
 * offsets, the schemas swap in one transaction and the live instances resume into the new version.
 * Events before the switch are in the new dedupe table, events after it were not applied by the
 * rebuild: no gap, no double application. The old version is kept for `rollbackRebuild`.
 */
export async function rebuildSideBySide<DB>(
  definition: ProcessorDefinition<DB>,
  options: RebuildOptions,
): Promise<RebuildResult> {
  return withRebuildLock(definition, options, async (ctx) => {
    if (await schemaExists(ctx.db, ctx.schemas.previous))
      throw new RebuildError(
        'PREVIOUS_NOT_FINALIZED',
        `${ctx.schemas.previous} from an earlier rebuild still exists: run \`fleet rebuild ${definition.name} --finalize\` (keep the new version) or \`--rollback\` first`,
      );
    await dropSchema(ctx.db, ctx.schemas.rebuild); // what an aborted rebuild left: start clean
    const { start, gaps } = await replayStart(ctx.admin, ctx.topics, options.from ?? 'earliest');
    if (gaps.length > 0 && !options.acceptPartial) throw await retentionGapError(ctx, gaps);
    const started = Date.now();
    let limits = await liveOffsets(ctx.admin, ctx.liveGroup, ctx.topics, start);
    const follow = setInterval(() => {
      liveOffsets(ctx.admin, ctx.liveGroup, ctx.topics, start).then(
        (l) => {
          limits = l;
        },
        () => {},
      );
    }, 1_000);
    const group = `${ctx.liveGroup}__rebuild`;
    try {
      const runtime = await withReplayTracing(() =>
        startCatchUp(ctx, definition, options.startReplica, ctx.schemas.rebuild, group, start, () => limits),
      );
      try {
        await waitCaughtUp(ctx, group, start, () => limits, options, 'catching-up');
        options.onProgress?.({
          phase: 'switching',
          done: distance(start, limits),
          total: distance(start, limits),
          perSecond: 0,
          etaSeconds: 0,
        });
        await pauseLive(ctx, options.switchTimeoutMs);
        clearInterval(follow);
        limits = await stableLiveOffsets(ctx, start);
        await waitCaughtUp(ctx, group, start, () => limits, options, 'switching');
      } finally {
        await runtime.stop();
      }
      await swapSchemas(ctx.db, ctx.schemas.live, ctx.schemas.rebuild, ctx.schemas.previous);
      await recordSwitch(ctx.db, ctx.schemas.live, limits);
    } finally {
      clearInterval(follow);
      await requestPause(ctx.db, ctx.liveGroup, false, 'rebuild');
      await forgetGroup(ctx, group);
    }
    const events = distance(start, limits);
    options.onProgress?.({ phase: 'done', done: events, total: events, perSecond: 0, etaSeconds: 0 });
    return {
      events,
      seconds: (Date.now() - started) / 1000,
      schema: ctx.schemas.live,
      keptAs: ctx.schemas.previous,
    };
  });
}

/**
 * Goes back to the version a rebuild replaced: it catches up (in replay mode) on what the live
 * version applied since the switch, then the schemas swap back. The rolled-back version is kept
 * as `<schema>__rolled_back` until the next rollback.
 */
export async function rollBackSideBySide<DB>(
  definition: ProcessorDefinition<DB>,
  options: RebuildOptions,
): Promise<RebuildResult> {
  return withRebuildLock(definition, options, async (ctx) => {
    if (!(await schemaExists(ctx.db, ctx.schemas.previous)))
      throw new RebuildError('NOTHING_TO_ROLL_BACK', `no previous version of ${ctx.schemas.live} is kept`);
    const start = await switchOffsets(ctx.db, ctx.schemas.live);
    const started = Date.now();
    const group = `${ctx.liveGroup}__rollback`;
    let limits: PartitionOffsets = start;
    try {
      await pauseLive(ctx, options.switchTimeoutMs);
      limits = await stableLiveOffsets(ctx, start);
      const runtime = await withReplayTracing(() =>
        startCatchUp(ctx, definition, options.startReplica, ctx.schemas.previous, group, start, () => limits),
      );
      try {
        await waitCaughtUp(ctx, group, start, () => limits, options, 'catching-up');
      } finally {
        await runtime.stop();
      }
      await dropSchema(ctx.db, ctx.schemas.rolledBack);
      await swapSchemas(ctx.db, ctx.schemas.live, ctx.schemas.previous, ctx.schemas.rolledBack);
      await sql`delete from fleet.rebuilds where db_schema = ${ctx.schemas.live}`.execute(ctx.db);
    } finally {
      await requestPause(ctx.db, ctx.liveGroup, false, 'rollback');
      await forgetGroup(ctx, group);
    }
    return {
      events: distance(start, limits),
      seconds: (Date.now() - started) / 1000,
      schema: ctx.schemas.live,
      keptAs: ctx.schemas.rolledBack,
    };
  });
}

/** Keeps the rebuilt version for good: drops the one it replaced. */
export async function finalizeRebuild<DB>(
  definition: ProcessorDefinition<DB>,
  options: Omit<RebuildOptions, 'startReplica'>,
): Promise<void> {
  await withRebuildLock(definition, options, async (ctx) => {
    await dropSchema(ctx.db, ctx.schemas.previous);
    await sql`delete from fleet.rebuilds where db_schema = ${ctx.schemas.live}`.execute(ctx.db);
  });
}

interface RebuildContext {
  config: RuntimeConfig;
  db: Kysely<unknown>;
  kafka: Kafka;
  admin: Admin;
  logger: Logger;
  topics: string[];
  liveGroup: string;
  schemas: ReturnType<typeof versionSchemas>;
}

/** One rebuild, rollback or finalize per processor at a time: a session advisory lock says so. */
async function withRebuildLock<DB, T>(
  definition: ProcessorDefinition<DB>,
  options: Omit<RebuildOptions, 'startReplica'>,
  work: (ctx: RebuildContext) => Promise<T>,
): Promise<T> {
  const { config } = options;
  const live = config.processing.dbSchema ?? definition.name;
  const logger =
    options.logger ?? createLogger({ service: 'fleet-rebuild', processor: definition.name }, config.logLevel);
  const lock = new pg.Client({
    connectionString: config.database.url,
    ssl: config.database.ssl || undefined,
  });
  lock.on('error', () => {});
  await lock.connect();
  const db = createDatabase<unknown>(config.database, 'public', `${definition.name}-rebuild`);
  const kafka = createKafka(config.kafka, `${definition.name}-rebuild`, logger);
  const admin = kafka.admin();
  try {
    const { rows } = await lock.query<{ locked: boolean }>(
      'select pg_try_advisory_lock(hashtext($1)) as locked',
      [`fleet-rebuild:${live}`],
    );
    if (!rows[0]?.locked)
      throw new RebuildError(
        'REBUILD_IN_PROGRESS',
        `a rebuild of ${definition.name} is already running; wait for it or stop it`,
      );
    await ensureControlTables(db);
    await admin.connect();
    return await work({
      config,
      db,
      kafka,
      admin,
      logger,
      topics: [...new Set(definition.routes.map((r) => r.event.topic.name))],
      liveGroup: config.processing.groupId ?? definition.name,
      schemas: versionSchemas(live),
    });
  } finally {
    await admin.disconnect().catch(() => {});
    await db.destroy().catch(() => {});
    await lock.end().catch(() => {});
  }
}

/** Replayed history starts traces of its own, linked to the originals: call it in `withReplayTracing`. */
async function startCatchUp<DB>(
  ctx: RebuildContext,
  definition: ProcessorDefinition<DB>,
  startReplica: StartReplica,
  schema: string,
  group: string,
  start: PartitionOffsets,
  limits: () => PartitionOffsets,
): Promise<Replica> {
  await forgetGroup(ctx, group);
  for (const topic of ctx.topics) {
    const partitions = [...start]
      .filter(([key]) => key.startsWith(`${topic}:`))
      .map(([key, offset]) => ({
        partition: Number(key.slice(topic.length + 1)),
        offset: offset.toString(),
      }));
    await ctx.admin.setOffsets({ groupId: group, topic, partitions });
  }
  return startReplica(definition, {
    config: {
      ...ctx.config,
      http: { ...ctx.config.http, port: null }, // no HTTP server: the live instances serve
      processing: {
        ...ctx.config.processing,
        dbSchema: schema,
        groupId: group,
        replay: true,
        // Stopping it is part of the switch, and a stop waits for the fetch in flight.
        fetch: {
          ...ctx.config.processing.fetch,
          maxWaitMs: Math.min(ctx.config.processing.fetch.maxWaitMs, 250),
        },
      },
    },
    logger: ctx.logger,
    holdBack: { limitOf: (topic, partition) => limits().get(partitionKey(topic, partition)) },
  });
}

async function waitCaughtUp(
  ctx: RebuildContext,
  group: string,
  start: PartitionOffsets,
  limits: () => PartitionOffsets,
  options: RebuildOptions,
  phase: RebuildProgress['phase'],
): Promise<void> {
  const began = Date.now();
  for (;;) {
    if (options.signal?.aborted)
      throw new RebuildError('ABORTED', 'rebuild aborted; the live version is untouched');
    const at = await committedOffsets(ctx.admin, group, ctx.topics);
    for (const [key, offset] of start) if (!at.has(key)) at.set(key, offset);
    const done = distance(start, at);
    const remaining = distance(at, limits());
    const perSecond = done / Math.max((Date.now() - began) / 1000, 0.001);
    options.onProgress?.({
      phase,
      done,
      total: done + remaining,
      perSecond,
      etaSeconds: perSecond > 0 ? remaining / perSecond : undefined,
    });
    if (remaining === 0) return;
    await sleep(250);
  }
}

async function pauseLive(ctx: RebuildContext, timeoutMs = 60_000): Promise<void> {
  await requestPause(ctx.db, ctx.liveGroup, true, 'rebuild');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await sql<{ waiting: number }>`
      select count(*)::int as waiting from fleet.instances
      where group_id = ${ctx.liveGroup} and not paused and last_seen > now() - interval '15 seconds'`.execute(
      ctx.db,
    );
    if ((rows[0]?.waiting ?? 0) === 0) return;
    if (Date.now() > deadline)
      throw new RebuildError(
        'SWITCH_TIMEOUT',
        `${rows[0]?.waiting} live instance(s) did not acknowledge the pause`,
      );
    await sleep(200);
  }
}

/** RETENTION_GAP naming, per partition, the earliest offset still in the log and when it was written. */
async function retentionGapError(
  ctx: RebuildContext,
  gaps: Awaited<ReturnType<typeof replayStart>>['gaps'],
): Promise<RebuildError> {
  const firstAt = await firstAvailableTimes(
    ctx.kafka,
    ctx.admin,
    gaps.map((g) => ({
      topic: g.topic,
      partition: g.partition,
      low: Number(g.earliestAvailable),
      high: Number(g.end),
    })),
  );
  const described: RetentionGap[] = gaps.map((g) => {
    const at = firstAt.get(`${g.topic}:${g.partition}`);
    return {
      topic: g.topic,
      partition: g.partition,
      earliestAvailable: g.earliestAvailable.toString(),
      firstAvailableAt: at === undefined ? null : new Date(at).toISOString(),
    };
  });
  return new RebuildError(
    'RETENTION_GAP',
    `the log no longer holds the full history:\n${described
      .map(
        (g) =>
          `  ${g.topic}[${g.partition}]: records before offset ${g.earliestAvailable} were deleted; earliest available ${g.firstAvailableAt ? `written ${g.firstAvailableAt}` : 'none (the partition is empty)'}`,
      )
      .join('\n')}\npass --accept-partial to rebuild from what is left`,
    { gaps: described },
  );
}

/**
 * The live group's offsets once they stop moving and its outbox is empty. An instance acknowledges a
 * pause only with no batch in flight and its offsets committed, so they are final already; the
 * second reading guards against a member the control tables do not know (e.g. an older version).
 */
async function stableLiveOffsets(ctx: RebuildContext, start: PartitionOffsets): Promise<PartitionOffsets> {
  let previous = await liveOffsets(ctx.admin, ctx.liveGroup, ctx.topics, start);
  for (;;) {
    await sleep(200);
    const current = await liveOffsets(ctx.admin, ctx.liveGroup, ctx.topics, start);
    const { rows } = await sql<{
      n: number;
    }>`select count(*)::int as n from ${sql.id(ctx.schemas.live, 'outbox')}`.execute(ctx.db);
    if (distance(previous, current) === 0 && (rows[0]?.n ?? 0) === 0) return current;
    previous = current;
  }
}

/** The live group's position; where it committed nothing yet, the replay's start. */
async function liveOffsets(
  admin: Admin,
  group: string,
  topics: string[],
  start: PartitionOffsets,
): Promise<PartitionOffsets> {
  const live = await committedOffsets(admin, group, topics);
  for (const [key, offset] of start) if (!live.has(key)) live.set(key, offset);
  return live;
}

async function recordSwitch(db: Kysely<unknown>, schema: string, offsets: PartitionOffsets): Promise<void> {
  const json = JSON.stringify(Object.fromEntries([...offsets].map(([k, v]) => [k, v.toString()])));
  await sql`insert into fleet.rebuilds (db_schema, switch_offsets) values (${schema}, ${json}::jsonb)
    on conflict (db_schema) do update set switch_offsets = excluded.switch_offsets, switched_at = now()`.execute(
    db,
  );
}

async function switchOffsets(db: Kysely<unknown>, schema: string): Promise<PartitionOffsets> {
  const { rows } = await sql<{ switch_offsets: Record<string, string> }>`
    select switch_offsets from fleet.rebuilds where db_schema = ${schema}`.execute(db);
  const recorded = rows[0]?.switch_offsets;
  if (!recorded) throw new RebuildError('NOTHING_TO_ROLL_BACK', `no switch of ${schema} is recorded`);
  return new Map(Object.entries(recorded).map(([k, v]) => [k, BigInt(v)]));
}

async function forgetGroup(ctx: RebuildContext, group: string): Promise<void> {
  await ctx.admin.deleteGroups([group]).catch(() => {});
  await sql`delete from fleet.processors where group_id = ${group}`.execute(ctx.db);
  await sql`delete from fleet.instances where group_id = ${group}`.execute(ctx.db);
}
