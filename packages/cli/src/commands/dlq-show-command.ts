import { type DeadLetterRecord, describeDeadLetter, readDeadLetter } from '@fleet/processor';
import { type CommandContext, print, printJson } from '../command-context.ts';
import { hexDump, utf8Preview } from '../hex-dump.ts';
import { parsePartitionOffset } from '../partition-offsets.ts';
import { findProcessor } from '../processor-catalog.ts';
import { terminalSafe } from '../terminal-safe.ts';

/** `fleet dlq show <processor> <partition>:<offset>`: one dead letter, every header and the value. */
export async function dlqShowCommand(
  ctx: CommandContext,
  options: { processor: string; position: string },
): Promise<DeadLetterRecord> {
  const { partition, offset } = parsePartitionOffset(options.position, 'position');
  const p = await findProcessor(ctx.connections.db, options.processor);
  const admin = await ctx.connections.admin();
  const letter = await readDeadLetter(ctx.connections.kafka, admin, p, partition, offset);
  const described = describeDeadLetter(letter);
  if (ctx.json) {
    printJson(ctx, described);
    return letter;
  }
  const { headers } = described;
  const width = Math.max(...Object.keys(headers).map((k) => k.length), 3);
  print(
    ctx,
    [
      `${p.dlqTopic} ${partition}:${offset} (written ${described.timestamp})`,
      `key: ${letter.key === null ? '(null)' : terminalSafe(letter.key.toString('utf8'))}`,
      'headers:',
      ...Object.entries(headers).map(
        ([k, v]) => `  ${terminalSafe(k).padEnd(width)}  ${terminalSafe(String(v))}`,
      ),
      `value: ${letter.value === null ? '(null)' : `${letter.value.length} byte(s)`}`,
      ...(letter.value ? [hexDump(letter.value), `utf8: ${utf8Preview(letter.value)}`] : []),
    ].join('\n'),
  );
  return letter;
}
