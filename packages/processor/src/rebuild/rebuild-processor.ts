import { setTimeout as sleep } from 'node:timers/promises';
import { requestPause } from '../control-plane.ts';
import type { ProcessorDefinition } from '../define-processor.ts';
import type { Logger } from '../logger.ts';
import type { RuntimeConfig } from '../runtime-config.ts';
import { forgetReplayGroup, replayGroups, startCatchUp, waitCaughtUp } from './catch-up.ts';
import { KnownDeadLetters } from './known-dead-letters.ts';
import { committedOffsets, distance, type PartitionOffsets, replayStart } from './partition-offsets.ts';
import { type RebuildContext, withRebuildContext } from './rebuild-context.ts';
import { RebuildError } from './rebuild-error.ts';
import { forgetSwitch, outboxRows, recordSwitch, switchOffsets, unpausedInstances } from './rebuild-store.ts';
import type { StartReplica } from './replica.ts';
import { retentionGapError } from './retention-gap.ts';
import { dropSchema, schemaExists, swapSchemas } from './schema-swap.ts';

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
  /** Records the replay would have dead-lettered that the DLQ held already: not sent again. */
  alreadyDeadLettered: number;
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
  return withRebuildContext(definition, options, async (ctx) => {
    if (await schemaExists(ctx.db, ctx.schemas.previous))
      throw new RebuildError(
        'PREVIOUS_NOT_FINALIZED',
        `${ctx.schemas.previous} from an earlier rebuild still exists: run \`fleet rebuild ${definition.name} --finalize\` (keep the new version) or \`--rollback\` first`,
      );
    await dropSchema(ctx.db, ctx.schemas.rebuild); // what an aborted rebuild left: start clean
    const { start, gaps } = await replayStart(ctx.admin, ctx.topics, options.from ?? 'earliest');
    if (gaps.length > 0 && !options.acceptPartial) throw await retentionGapError(ctx.kafka, ctx.admin, gaps);
    const started = Date.now();
    let limits = await liveOffsets(ctx, start);
    const follow = setInterval(() => {
      liveOffsets(ctx, start).then(
        (l) => {
          limits = l;
        },
        () => {},
      );
    }, 1_000);
    const group = replayGroups(ctx.liveGroup).rebuild;
    const deadLetters = new KnownDeadLetters(ctx);
    try {
      await deadLetters.readNew(); // the bulk now, not while the replica's consumer waits on it
      const replica = await startCatchUp(ctx, definition, options.startReplica, {
        schema: ctx.schemas.rebuild,
        group,
        start,
        limits: () => limits,
        deadLetters,
      });
      try {
        await waitCaughtUp(
          ctx,
          group,
          start,
          () => limits,
          options.signal,
          progressIn('catching-up', options),
        );
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
        await waitCaughtUp(ctx, group, start, () => limits, options.signal, progressIn('switching', options));
      } finally {
        await replica.stop();
      }
      await swapSchemas(ctx.db, ctx.schemas.live, ctx.schemas.rebuild, ctx.schemas.previous);
      await recordSwitch(ctx.db, ctx.schemas.live, limits);
    } finally {
      clearInterval(follow);
      await requestPause(ctx.db, ctx.liveGroup, false, 'rebuild');
      await forgetReplayGroup(ctx, group);
      reportSkippedLetters(ctx, deadLetters);
    }
    const events = distance(start, limits);
    options.onProgress?.({ phase: 'done', done: events, total: events, perSecond: 0, etaSeconds: 0 });
    return {
      events,
      seconds: (Date.now() - started) / 1000,
      schema: ctx.schemas.live,
      keptAs: ctx.schemas.previous,
      alreadyDeadLettered: deadLetters.skipped,
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
  return withRebuildContext(definition, options, async (ctx) => {
    if (!(await schemaExists(ctx.db, ctx.schemas.previous)))
      throw new RebuildError('NOTHING_TO_ROLL_BACK', `no previous version of ${ctx.schemas.live} is kept`);
    const start = await switchOffsets(ctx.db, ctx.schemas.live);
    if (!start)
      throw new RebuildError('NOTHING_TO_ROLL_BACK', `no switch of ${ctx.schemas.live} is recorded`);
    const started = Date.now();
    const group = replayGroups(ctx.liveGroup).rollback;
    let limits: PartitionOffsets = start;
    const deadLetters = new KnownDeadLetters(ctx);
    try {
      await deadLetters.readNew(); // before the live instances pause, not while they wait
      await pauseLive(ctx, options.switchTimeoutMs);
      limits = await stableLiveOffsets(ctx, start);
      const replica = await startCatchUp(ctx, definition, options.startReplica, {
        schema: ctx.schemas.previous,
        group,
        start,
        limits: () => limits,
        deadLetters,
      });
      try {
        await waitCaughtUp(
          ctx,
          group,
          start,
          () => limits,
          options.signal,
          progressIn('catching-up', options),
        );
      } finally {
        await replica.stop();
      }
      await dropSchema(ctx.db, ctx.schemas.rolledBack);
      await swapSchemas(ctx.db, ctx.schemas.live, ctx.schemas.previous, ctx.schemas.rolledBack);
      await forgetSwitch(ctx.db, ctx.schemas.live);
    } finally {
      await requestPause(ctx.db, ctx.liveGroup, false, 'rollback');
      await forgetReplayGroup(ctx, group);
      reportSkippedLetters(ctx, deadLetters);
    }
    return {
      events: distance(start, limits),
      seconds: (Date.now() - started) / 1000,
      schema: ctx.schemas.live,
      keptAs: ctx.schemas.rolledBack,
      alreadyDeadLettered: deadLetters.skipped,
    };
  });
}

/** Keeps the rebuilt version for good: drops the one it replaced. */
export async function finalizeRebuild<DB>(
  definition: ProcessorDefinition<DB>,
  options: Omit<RebuildOptions, 'startReplica'>,
): Promise<void> {
  await withRebuildContext(definition, options, async (ctx) => {
    await dropSchema(ctx.db, ctx.schemas.previous);
    await forgetSwitch(ctx.db, ctx.schemas.live);
  });
}

const progressIn =
  (phase: RebuildProgress['phase'], options: RebuildOptions) => (progress: Omit<RebuildProgress, 'phase'>) =>
    options.onProgress?.({ phase, ...progress });

function reportSkippedLetters(ctx: RebuildContext, deadLetters: KnownDeadLetters): void {
  const { skipped } = deadLetters;
  if (skipped > 0)
    ctx.logger.info(
      { alreadyDeadLettered: skipped, topic: ctx.dlqTopic },
      `the replay met ${skipped} record(s) the dead-letter topic holds already; they were not dead-lettered again`,
    );
}

async function pauseLive(ctx: RebuildContext, timeoutMs = 60_000): Promise<void> {
  await requestPause(ctx.db, ctx.liveGroup, true, 'rebuild');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const waiting = await unpausedInstances(ctx.db, ctx.liveGroup);
    if (waiting === 0) return;
    if (Date.now() > deadline)
      throw new RebuildError('SWITCH_TIMEOUT', `${waiting} live instance(s) did not acknowledge the pause`);
    await sleep(200);
  }
}

/**
 * The live group's offsets once they stop moving and its outbox is empty. An instance acknowledges a
 * pause only with no batch in flight and its offsets committed, so they are final already; the
 * second reading guards against a member the control tables do not know (e.g. an older version).
 */
async function stableLiveOffsets(ctx: RebuildContext, start: PartitionOffsets): Promise<PartitionOffsets> {
  let previous = await liveOffsets(ctx, start);
  for (;;) {
    await sleep(200);
    const current = await liveOffsets(ctx, start);
    if (distance(previous, current) === 0 && (await outboxRows(ctx.db, ctx.schemas.live)) === 0)
      return current;
    previous = current;
  }
}

/** The live group's position; where it committed nothing yet, the replay's start. */
async function liveOffsets(ctx: RebuildContext, start: PartitionOffsets): Promise<PartitionOffsets> {
  const live = await committedOffsets(ctx.admin, ctx.liveGroup, ctx.topics);
  for (const [key, offset] of start) if (!live.has(key)) live.set(key, offset);
  return live;
}
