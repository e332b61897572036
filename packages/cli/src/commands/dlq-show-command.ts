import { CliError } from '../cli-error.ts';
import { type CommandContext, print, printJson } from '../command-context.ts';
import { toDeadLetter } from '../dead-letter-record.ts';
import { hexDump, utf8Preview } from '../hex-dump.ts';
import { parsePartitionOffset } from '../partition-offsets.ts';
import { findProcessor } from '../processor-catalog.ts';
import { scanPartitions } from '../topic-scanner.ts';
import { summarise } from './dlq-list-command.ts';

/** `fleet dlq show <processor> <partition>:<offset>`: one dead letter, every header and the value. */
export async function dlqShowCommand(ctx: CommandContext, options: { processor: string; position: string }) {
  const { partition, offset } = parsePartitionOffset(options.position, 'position');
  const p = await findProcessor(ctx.connections.db, options.processor);
  const admin = await ctx.connections.admin();
  const ends = (await admin.listTopics()).includes(p.dlqTopic)
    ? await admin.fetchTopicOffsets(p.dlqTopic)
    : [];
  const end = ends.find((e) => e.partition === partition);
  if (!end || offset < Number(end.low) || offset >= Number(end.high))
    throw new CliError(
      'DEAD_LETTER_NOT_FOUND',
      end
        ? `no dead letter at ${partition}:${offset} in ${p.dlqTopic}: partition ${partition} holds offsets ${end.low}..${Number(end.high) - 1}${Number(end.high) === Number(end.low) ? ' (empty)' : ''}; see fleet dlq list --processor ${p.name}`
        : `no partition ${partition} in ${p.dlqTopic}${ends.length ? ` (partitions 0..${ends.length - 1})` : ' (the topic does not exist)'}`,
    );
  const records = await scanPartitions(
    ctx.connections.kafka,
    admin,
    [{ topic: p.dlqTopic, partition, end: offset + 1 }],
    { purpose: 'dlq-show' },
  );
  const record = records.find((r) => r.offset === offset);
  if (!record)
    throw new CliError(
      'DEAD_LETTER_NOT_FOUND',
      `no record at ${partition}:${offset} in ${p.dlqTopic} (deleted meanwhile?); see fleet dlq list --processor ${p.name}`,
    );
  const letter = toDeadLetter(p.name, record);
  const headers = Object.fromEntries(Object.entries(letter.headers).map(([k, v]) => [k, v.toString('utf8')]));
  if (ctx.json) {
    printJson(ctx, {
      ...summarise(letter),
      timestamp: new Date(record.timestamp).toISOString(),
      key: letter.key?.toString('utf8') ?? null,
      headers,
      value: letter.value ? { base64: letter.value.toString('base64'), bytes: letter.value.length } : null,
    });
    return letter;
  }
  const width = Math.max(...Object.keys(headers).map((k) => k.length), 3);
  print(
    ctx,
    [
      `${p.dlqTopic} ${partition}:${offset} (written ${new Date(record.timestamp).toISOString()})`,
      `key: ${letter.key === null ? '(null)' : letter.key.toString('utf8')}`,
      'headers:',
      ...Object.entries(headers).map(([k, v]) => `  ${k.padEnd(width)}  ${v}`),
      `value: ${letter.value === null ? '(null)' : `${letter.value.length} byte(s)`}`,
      ...(letter.value ? [hexDump(letter.value), `utf8: ${utf8Preview(letter.value)}`] : []),
    ].join('\n'),
  );
  return letter;
}
