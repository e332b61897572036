import { setTimeout as sleep } from 'node:timers/promises';
import type { ProcessorDefinition } from '../define-processor.ts';
import { withReplayTracing } from '../event-span.ts';
import type { KnownDeadLetters } from './known-dead-letters.ts';
import { committedOffsets, distance, type PartitionOffsets, partitionKey } from './partition-offsets.ts';
import type { RebuildContext } from './rebuild-context.ts';
import { RebuildError } from './rebuild-error.ts';
import { forgetGroupRegistration } from './rebuild-store.ts';
import type { Replica, StartReplica } from './replica.ts';

/**
 * The consumer groups a rebuild's and a rollback's replicas use beside the live group (and register in
 * `fleet.processors`); `fleet provision` lets a processor's role write the rows of these and no other.
 */
export const replayGroups = (liveGroup: string) => ({
  rebuild: `${liveGroup}__rebuild`,
  rollback: `${liveGroup}__rollback`,
});

/** What a replica replays: into which schema, as which group, from where, up to what. */
export interface CatchUp {
  schema: string;
  group: string;
  start: PartitionOffsets;
  limits: () => PartitionOffsets;
  /** Asked before the replica sends a letter: what the live version dead-lettered is not sent again. */
  deadLetters: KnownDeadLetters;
}

/**
 * Starts a replica filling `schema` from `start` with group `group`, never past `limits()`.
 * Replayed history starts traces of its own, linked to the originals (`withReplayTracing`).
 */
export async function startCatchUp<DB>(
  ctx: RebuildContext,
  definition: ProcessorDefinition<DB>,
  startReplica: StartReplica,
  { schema, group, start, limits, deadLetters }: CatchUp,
): Promise<Replica> {
  await forgetReplayGroup(ctx, group);
  for (const topic of ctx.topics) {
    const partitions = [...start]
      .filter(([key]) => key.startsWith(`${topic}:`))
      .map(([key, offset]) => ({
        partition: Number(key.slice(topic.length + 1)),
        offset: offset.toString(),
      }));
    await ctx.admin.setOffsets({ groupId: group, topic, partitions });
  }
  return withReplayTracing(() =>
    startReplica(definition, {
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
      alreadyDeadLettered: deadLetters.held,
    }),
  );
}

export interface CatchUpProgress {
  done: number;
  total: number;
  perSecond: number;
  etaSeconds: number | undefined;
}

/** Waits until `group` committed `limits()` everywhere, reporting progress; ABORTED on `signal`. */
export async function waitCaughtUp(
  ctx: RebuildContext,
  group: string,
  start: PartitionOffsets,
  limits: () => PartitionOffsets,
  signal: AbortSignal | undefined,
  onProgress: (progress: CatchUpProgress) => void,
): Promise<void> {
  const began = Date.now();
  for (;;) {
    if (signal?.aborted) throw new RebuildError('ABORTED', 'rebuild aborted; the live version is untouched');
    const at = await committedOffsets(ctx.admin, group, ctx.topics);
    for (const [key, offset] of start) if (!at.has(key)) at.set(key, offset);
    const done = distance(start, at);
    const remaining = distance(at, limits());
    const perSecond = done / Math.max((Date.now() - began) / 1000, 0.001);
    onProgress({
      done,
      total: done + remaining,
      perSecond,
      etaSeconds: perSecond > 0 ? remaining / perSecond : undefined,
    });
    if (remaining === 0) return;
    await sleep(250);
  }
}

/** Deletes a replay group and its registration: it ran only for this rebuild. */
export async function forgetReplayGroup(ctx: RebuildContext, group: string): Promise<void> {
  await ctx.admin.deleteGroups([group]).catch(() => {});
  await forgetGroupRegistration(ctx.db, group);
}
