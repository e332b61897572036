import { FleetError } from '@fleet/errors';
import { Command, CommanderError, Option } from 'commander';
import { usageError } from './cli-error.ts';
import type { CliIo } from './cli-io.ts';
import type { CommandContext } from './command-context.ts';
import { auditCommand } from './commands/audit-command.ts';
import { dlqListCommand } from './commands/dlq-list-command.ts';
import { dlqPurgeCommand } from './commands/dlq-purge-command.ts';
import { dlqRedriveCommand } from './commands/dlq-redrive-command.ts';
import { dlqShowCommand } from './commands/dlq-show-command.ts';
import { pauseCommand } from './commands/pause-command.ts';
import { provisionCommand } from './commands/provision-command.ts';
import { rebuildCommand } from './commands/rebuild-command.ts';
import { replayCommand } from './commands/replay-command.ts';
import { statusCommand } from './commands/status-command.ts';
import { defaultConnectionSettings, resolveConnectionSettings } from './connection-settings.ts';
import { parseDuration } from './duration.ts';
import { ExitCode } from './exit-codes.ts';
import { FleetConnections } from './fleet-connections.ts';
import { parseIsoTime } from './iso-time.ts';

interface GlobalOptions {
  brokers?: string;
  databaseUrl?: string;
  json?: boolean;
}

const exitCodesHelp = `
Exit codes:
  0  ok
  1  failed (Kafka or PostgreSQL refused, an unexpected error)
  2  usage error (unknown command or option, bad value or setting, unknown processor)
  3  refused: needs confirmation or a flag (--yes, --accept-partial), or the processor must be stopped first
  4  timed out waiting for instances to acknowledge
  78 the processor's configuration (its environment) is invalid
Each error's code and exit code: docs/errors.md.

Connections: --brokers / KAFKA_BROKERS (default ${defaultConnectionSettings.brokers}),
  --database-url / DATABASE_URL (default ${defaultConnectionSettings.databaseUrl}).`;

/**
 * The whole CLI as a function: parses `argv` (without `node main.ts`), runs the command against the
 * settings in `io.env`, writes to `io.stdout`/`io.stderr`, and returns the exit code. `main.ts` is
 * this with the process's streams; tests call it the same way.
 */
export async function runCli(argv: string[], partialIo: Partial<CliIo> = {}): Promise<number> {
  const io: CliIo = {
    stdout: partialIo.stdout ?? process.stdout,
    stderr: partialIo.stderr ?? process.stderr,
    env: partialIo.env ?? process.env,
    ...(partialIo.stdin ? { stdin: partialIo.stdin } : {}),
  };
  let json = argv.includes('--json');
  let connections: FleetConnections | undefined;

  /** Wraps a command: settings from options and env, connections opened lazily and always closed. */
  const action =
    <O>(run: (ctx: CommandContext, options: O, args: string[]) => Promise<unknown>) =>
    async (...received: unknown[]) => {
      const command = received.at(-1) as Command;
      const options = command.optsWithGlobals() as O & GlobalOptions;
      json = Boolean(options.json);
      const settings = resolveConnectionSettings(options, io.env);
      connections = new FleetConnections(settings);
      await run({ io, connections, json }, options, received.slice(0, -2) as string[]);
    };

  const program = new Command('fleet')
    .description(
      'Operate a fleet of Kafka event processors: status, pause/resume, dead letters, replay, rebuild, audit, database roles.',
    )
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError('(run with --help for usage)')
    .option('--brokers <list>', 'Kafka brokers, host:port,… (env KAFKA_BROKERS)')
    .option('--database-url <url>', 'PostgreSQL holding the fleet control tables (env DATABASE_URL)')
    .addHelpText('after', exitCodesHelp);
  const jsonOption = () => new Option('--json', 'print JSON for scripts instead of tables');

  program
    .command('status')
    .description('every processor: group state, instances, lag, rate, outbox, DLQ, last error, schema')
    .addOption(jsonOption())
    .action(action((ctx) => statusCommand(ctx)));

  for (const paused of [true, false])
    program
      .command(`${paused ? 'pause' : 'resume'} <processor>`)
      .description(
        `${paused ? 'pause' : 'resume'} every instance of a processor and wait until each acknowledges (exit 4 on timeout)`,
      )
      .option('--timeout <duration>', 'how long to wait for acknowledgements, e.g. 30s, 2m', '30s')
      .addOption(jsonOption())
      .action(
        action<{ timeout: string }>((ctx, o, [processor]) =>
          pauseCommand(ctx, { processor: processor as string, paused, timeoutMs: parseDuration(o.timeout) }),
        ),
      );

  const dlq = program.command('dlq').description('dead letters: list, show, redrive, purge');
  dlq
    .command('list')
    .description('browse dead letters (reads the DLQ topics from the beginning to now)')
    .option('--processor <name>', 'only this processor’s DLQ')
    .option('--error-code <code>', 'only dead letters with this dlq_error_code')
    .option('--since <iso>', 'only dead letters that failed at or after this time')
    .option('--limit <n>', 'show at most n', '50')
    .addOption(jsonOption())
    .action(
      action<{ processor?: string; errorCode?: string; since?: string; limit: string }>((ctx, o) =>
        dlqListCommand(ctx, {
          processor: o.processor,
          errorCode: o.errorCode,
          since: o.since === undefined ? undefined : parseIsoTime(o.since, '--since'),
          limit: parseLimit(o.limit),
        }),
      ),
    );
  dlq
    .command('show <processor> <position>')
    .description(
      'one dead letter at <partition>:<offset> of the DLQ: every header, the value in hex and utf8',
    )
    .addOption(jsonOption())
    .action(
      action((ctx, _o, [processor, position]) =>
        dlqShowCommand(ctx, { processor: processor as string, position: position as string }),
      ),
    );
  dlq
    .command('redrive <processor>')
    .description(
      're-publish dead letters to their source topic (original key, value, headers) for the processor to apply',
    )
    .option('--all', 'every dead letter (after --error-code / --since)')
    .option('--offsets <list>', 'the dead letters at these DLQ positions, partition:offset,…')
    .option('--error-code <code>', 'only dead letters with this dlq_error_code')
    .option('--since <iso>', 'only dead letters that failed at or after this time')
    .addOption(jsonOption())
    .action(
      action<{ all?: boolean; offsets?: string; errorCode?: string; since?: string }>((ctx, o, [processor]) =>
        dlqRedriveCommand(ctx, {
          processor: processor as string,
          all: o.all,
          offsets: o.offsets,
          errorCode: o.errorCode,
          since: o.since === undefined ? undefined : parseIsoTime(o.since, '--since'),
        }),
      ),
    );
  dlq
    .command('purge <processor>')
    .description('delete every dead letter of a processor (asks on a TTY; --yes elsewhere, else exit 3)')
    .option('--yes', 'do not ask')
    .addOption(jsonOption())
    .action(
      action<{ yes?: boolean }>((ctx, o, [processor]) =>
        dlqPurgeCommand(ctx, { processor: processor as string, yes: o.yes }),
      ),
    );

  program
    .command('replay <processor>')
    .description(
      'move the stopped processor’s group back: --from <ISO time> | --from earliest | --to-offsets p:o,…',
    )
    .option('--from <when>', 'an ISO time, or "earliest"')
    .option('--to-offsets <list>', 'partition:offset,… (topic:partition:offset when it reads several topics)')
    .option('--accept-partial', 'go on although records the replay needs were deleted')
    .option('--dry-run', 'show the offsets it would set, change nothing')
    .addOption(jsonOption())
    .action(
      action<{ from?: string; toOffsets?: string; acceptPartial?: boolean; dryRun?: boolean }>(
        (ctx, o, [processor]) =>
          replayCommand(ctx, {
            processor: processor as string,
            from: o.from,
            toOffsets: o.toOffsets,
            acceptPartial: o.acceptPartial,
            dryRun: o.dryRun,
          }),
      ),
    );

  program
    .command('rebuild <processor>')
    .description('rebuild the projection side by side from the topics, then switch reads atomically')
    .option('--from <when>', 'earliest (default) or an ISO time')
    .option('--accept-partial', 'go on although the log no longer holds the full history')
    .option('--finalize', 'keep the rebuilt version: drop the one it replaced')
    .option('--rollback', 'return to the version the last rebuild replaced')
    .option(
      '--definition <module>',
      'a module exporting the processor (default: the workspace package whose package.json declares it, fleet.processor)',
    )
    .addOption(jsonOption())
    .action(
      action<{
        from?: string;
        acceptPartial?: boolean;
        finalize?: boolean;
        rollback?: boolean;
        definition?: string;
      }>((ctx, o, [processor]) => rebuildCommand(ctx, { processor: processor as string, ...o })),
    );

  program
    .command('audit')
    .description(
      'who did what: every write through the CLI, the admin API or the console (fleet.audit), newest first',
    )
    .option('--processor <name>', 'only this processor (its name or consumer group)')
    .option('--since <when>', 'only entries at or after an ISO time, or this long ago (30m, 2h)')
    .option('--limit <n>', 'show at most n (up to 1000)', '50')
    .addOption(jsonOption())
    .action(
      action<{ processor?: string; since?: string; limit: string }>((ctx, o) =>
        auditCommand(ctx, {
          processor: o.processor,
          since: o.since === undefined ? undefined : parseSince(o.since),
          limit: Math.min(parseLimit(o.limit), 1000),
        }),
      ),
    );

  program
    .command('provision <processors...>')
    .description(
      'as an administrator: a PostgreSQL login role per processor owning only its schemas, an operator role, the control tables with row-level security (idempotent)',
    )
    .option('--dry-run', 'print the SQL, connect to nothing')
    .option('--role-prefix <prefix>', 'a processor’s role is the prefix and its name', 'fleet_')
    .option('--operator-role <role>', 'the role of the fleet CLI and the console (default <prefix>operator)')
    .addOption(jsonOption())
    .action(
      action<{ dryRun?: boolean; rolePrefix: string; operatorRole?: string }>((ctx, o, [processors]) =>
        provisionCommand(ctx, {
          processors: processors as unknown as string[],
          rolePrefix: o.rolePrefix,
          operatorRole: o.operatorRole,
          dryRun: o.dryRun,
        }),
      ),
    );

  try {
    await program.parseAsync(argv, { from: 'user' });
    return ExitCode.ok;
  } catch (caught) {
    if (caught instanceof CommanderError) return caught.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    // Ours (the CLI's, the operations', the contracts'): the message and the catalogue's exit code.
    const error = connections?.explain(caught) ?? caught;
    if (error instanceof FleetError) {
      if (json)
        io.stdout.write(
          `${JSON.stringify({ error: { code: error.code, message: error.message, exitCode: error.exitCode }, details: error.details ?? null }, null, 2)}\n`,
        );
      io.stderr.write(`fleet: ${error.message}\n`);
      return error.exitCode;
    }
    const message = caught instanceof Error ? (caught.stack ?? caught.message) : String(caught);
    if (json)
      io.stdout.write(
        `${JSON.stringify({ error: { code: 'UNEXPECTED', message: String(caught), exitCode: 1 } })}\n`,
      );
    io.stderr.write(`fleet: unexpected error: ${message}\n`);
    return ExitCode.failed;
  } finally {
    await connections?.close();
  }
}

/** `--since`: an ISO time, or a duration meaning that long ago. */
function parseSince(text: string): number {
  if (/^\d{4}-/.test(text.trim())) return parseIsoTime(text, '--since');
  if (/^\d+(\.\d+)?(ms|s|m|h)?$/.test(text.trim())) return Date.now() - parseDuration(text, '--since');
  throw usageError(
    'BAD_TIME',
    `--since "${text}" is neither an ISO time nor a duration; write e.g. 2025-11-27T10:00:00Z or 2h`,
  );
}

function parseLimit(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw usageError('BAD_LIMIT', `--limit "${text}" must be a whole number ≥ 1`);
  return n;
}
