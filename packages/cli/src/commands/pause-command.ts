import { setTimeout as sleep } from 'node:timers/promises';
import { controlTables, requestPause } from '@fleet/processor';
import { audited } from '../cli-audit.ts';
import { CliError } from '../cli-error.ts';
import { type CommandContext, print, printJson } from '../command-context.ts';
import { findProcessor } from '../processor-catalog.ts';
import { requestedBy } from '../requested-by.ts';
import { aliveWithinSeconds, heartbeatSince } from './status-command.ts';

export interface PauseOptions {
  processor: string;
  paused: boolean;
  timeoutMs: number;
  /** How often to look at fleet.instances while waiting. */
  pollMs?: number;
}

export interface PauseResult {
  processor: string;
  groupId: string;
  paused: boolean;
  acknowledged: string[];
  pending: string[];
}

/**
 * `fleet pause|resume <processor>`: records the request in fleet.controls, then waits until every
 * live instance reports the same state in fleet.instances (each polls the controls every second).
 */
export async function pauseCommand(ctx: CommandContext, options: PauseOptions): Promise<PauseResult> {
  const db = ctx.connections.db;
  const p = await findProcessor(db, options.processor);
  const verb = options.paused ? 'pause' : 'resume';
  return audited(
    ctx,
    { action: verb, processor: p.groupId, arguments: { timeoutMs: options.timeoutMs } },
    () => requestAndWait(ctx, options, p),
  );
}

async function requestAndWait(
  ctx: CommandContext,
  options: PauseOptions,
  p: { name: string; groupId: string },
): Promise<PauseResult> {
  const db = ctx.connections.db;
  const verb = options.paused ? 'pause' : 'resume';
  await requestPause(db, p.groupId, options.paused, requestedBy(ctx.io.env));
  if (!ctx.json)
    print(ctx, `${verb} requested for ${p.name} (group ${p.groupId}); waiting for every live instance`);
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const rows = await controlTables(db)
      .selectFrom('fleet.instances')
      .select(['instance_id', 'paused'])
      .where('group_id', '=', p.groupId)
      .where('last_seen', '>', heartbeatSince(aliveWithinSeconds))
      .orderBy('instance_id')
      .execute();
    const result: PauseResult = {
      processor: p.name,
      groupId: p.groupId,
      paused: options.paused,
      acknowledged: rows.filter((r) => r.paused === options.paused).map((r) => r.instance_id),
      pending: rows.filter((r) => r.paused !== options.paused).map((r) => r.instance_id),
    };
    if (result.pending.length === 0) {
      if (ctx.json) printJson(ctx, result);
      else if (rows.length === 0)
        print(
          ctx,
          `no live instance of ${p.name}; the request stays in fleet.controls and applies when one starts`,
        );
      else
        print(
          ctx,
          `${verb}d: acknowledged by ${rows.length} live instance(s)\n${result.acknowledged.map((i) => `  ✓ ${i}`).join('\n')}`,
        );
      return result;
    }
    if (Date.now() >= deadline) {
      throw new CliError(
        'ACK_TIMEOUT',
        [
          `timed out after ${options.timeoutMs / 1000}s: ${result.pending.length} of ${rows.length} live instance(s) of ${p.name} did not acknowledge the ${verb}:`,
          ...result.pending.map((i) => `  ✗ ${i}`),
          ...(result.acknowledged.length
            ? ['acknowledged:', ...result.acknowledged.map((i) => `  ✓ ${i}`)]
            : []),
          'the request stays recorded; check those instances (logs, /readyz) or wait longer with --timeout',
        ].join('\n'),
        result,
      );
    }
    await sleep(options.pollMs ?? 250);
  }
}
