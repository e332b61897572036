import {
  finalizeRebuild,
  loadRuntimeConfig,
  type ProcessorDefinition,
  type RebuildProgress,
  rebuildProcessor,
  rollbackRebuild,
} from '@fleet/processor';
import cliProgress from 'cli-progress';
import { audited } from '../cli-audit.ts';
import { usageError } from '../cli-error.ts';
import { type CommandContext, print, printJson } from '../command-context.ts';
import { parseIsoTime } from '../iso-time.ts';
import { type RegisteredProcessor, registeredProcessor } from '../processor-catalog.ts';
import { loadProcessorDefinition } from '../processor-definition.ts';

export interface RebuildCommandOptions {
  processor: string;
  from?: string | undefined;
  acceptPartial?: boolean | undefined;
  finalize?: boolean | undefined;
  rollback?: boolean | undefined;
  definition?: string | undefined;
}

/**
 * `fleet rebuild <processor>`: rebuilds its projection side by side while the live version serves
 * reads, then switches atomically; `--finalize` drops the replaced version, `--rollback` returns to it.
 * Ctrl-C aborts a rebuild and leaves the live version untouched.
 */
export async function rebuildCommand(ctx: CommandContext, o: RebuildCommandOptions): Promise<void> {
  const registered = await registeredProcessor(ctx.connections.db, o.processor);
  const action = o.finalize ? 'rebuild-finalize' : o.rollback ? 'rebuild-rollback' : 'rebuild';
  const { definition: _module, ...args } = o;
  await audited(ctx, { action, processor: registered?.groupId ?? o.processor, arguments: args }, () =>
    rebuild(ctx, o, registered),
  );
}

async function rebuild(
  ctx: CommandContext,
  o: RebuildCommandOptions,
  registered: RegisteredProcessor | undefined,
): Promise<unknown> {
  // The live version as it registered itself (its group and schema may not be its name's, e.g. with
  // PROCESSOR_GROUP_ID); a processor that never started is rebuilt under its name's defaults.
  const definition = await loadProcessorDefinition(registered?.name ?? o.processor, {
    modulePath: o.definition,
    env: ctx.io.env,
  });
  if (registered) sameTopics(registered, definition);
  const { kafka, databaseUrl } = ctx.connections.settings;
  const config = loadRuntimeConfig({
    SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081/apis/ccompat/v7',
    LOG_LEVEL: 'warn',
    ...(registered ? { PROCESSOR_GROUP_ID: registered.groupId, PROCESSOR_DB_SCHEMA: registered.schema } : {}),
    // Set variables only: an empty one (copied from .env.example) leaves the value above.
    ...Object.fromEntries(Object.entries(ctx.io.env).filter(([, value]) => value)),
    KAFKA_BROKERS: kafka.brokers.join(','),
    DATABASE_URL: databaseUrl,
  });
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  const bar = progressBar(ctx);
  try {
    if (o.finalize) {
      await finalizeRebuild(definition, { config });
      if (ctx.json) printJson(ctx, { finalized: o.processor });
      else print(ctx, `finalized: the version ${o.processor} replaced is dropped`);
      return { finalized: o.processor };
    }
    const options = {
      config,
      from:
        o.from === undefined || o.from === 'earliest'
          ? ('earliest' as const)
          : new Date(parseIsoTime(o.from, '--from')),
      acceptPartial: Boolean(o.acceptPartial),
      signal: abort.signal,
      onProgress: (p: RebuildProgress) => bar.update(p),
    };
    const result = o.rollback
      ? await rollbackRebuild(definition, options)
      : await rebuildProcessor(definition, options);
    bar.stop();
    if (ctx.json) {
      printJson(ctx, { ...result, rolledBack: Boolean(o.rollback) });
      return result;
    }
    print(
      ctx,
      o.rollback
        ? `rolled back: ${result.schema} is the previous version again (caught up on ${result.events} events in ${result.seconds.toFixed(1)} s); the rebuilt one is kept as ${result.keptAs}`
        : `rebuilt ${result.events} events in ${result.seconds.toFixed(1)} s and switched: ${result.schema} is live; the old version is kept as ${result.keptAs} until \`fleet rebuild ${o.processor} --finalize\` (or \`--rollback\`)`,
    );
    if (result.alreadyDeadLettered > 0)
      print(
        ctx,
        `${result.alreadyDeadLettered} record(s) failed again as the live version's did; the dead-letter topic holds them already, so none was sent twice (\`fleet dlq list ${o.processor}\`)`,
      );
    return result;
  } finally {
    bar.stop();
    process.off('SIGINT', onSigint);
  }
}

/**
 * The declaration loaded here must read what the live version reads: the topics come from the
 * contracts, which FLEET_TOPIC_PREFIX namespaces, and a rebuild from other topics would replace the
 * projection with another fleet's history.
 */
function sameTopics(registered: RegisteredProcessor, definition: ProcessorDefinition<unknown>): void {
  const declared = [...new Set(definition.routes.map((r) => r.event.topic.name))].sort();
  const live = [...registered.topics].sort();
  if (declared.join(',') !== live.join(','))
    throw usageError(
      'TOPICS_DIFFER',
      `${registered.name} (group ${registered.groupId}) reads ${live.join(', ')}, but its declaration here reads ${declared.join(', ')}; run fleet with the fleet's FLEET_TOPIC_PREFIX (now "${process.env.FLEET_TOPIC_PREFIX ?? ''}")`,
    );
}

/** Events done / total, rate and ETA on stderr while a person watches. */
function progressBar(ctx: CommandContext) {
  if (ctx.json || !ctx.io.stderr.isTTY) return { update: (_p: RebuildProgress) => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      format: '{phase} [{bar}] {value}/{total} events | {rate} ev/s | ETA {eta_formatted}',
      stream: ctx.io.stderr as NodeJS.WritableStream,
      hideCursor: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(p: RebuildProgress) {
      const payload = { phase: p.phase.padEnd(11), rate: Math.round(p.perSecond) };
      if (!started) bar.start(Math.max(p.total, 1), p.done, payload);
      started = true;
      bar.setTotal(Math.max(p.total, 1));
      bar.update(p.done, payload);
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}
