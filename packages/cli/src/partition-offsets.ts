import { usageError } from './cli-error.ts';

export interface PartitionOffset {
  /** Set when written as `topic:partition:offset`. */
  topic: string | undefined;
  partition: number;
  offset: number;
}

/** `0:12,1:3` (partition:offset) or `orders:0:12` (topic:partition:offset), comma-separated. */
export function parsePartitionOffsets(text: string, option: string): PartitionOffset[] {
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0)
    throw usageError('BAD_OFFSETS', `${option} is empty; write partition:offset pairs, e.g. 0:12,1:3`);
  return items.map((item) => {
    const match = /^(?:(.+):)?(\d+):(\d+)$/.exec(item);
    if (!match)
      throw usageError(
        'BAD_OFFSETS',
        `${option}: "${item}" is not partition:offset (or topic:partition:offset); write e.g. 0:12,1:3`,
      );
    return { topic: match[1], partition: Number(match[2]), offset: Number(match[3]) };
  });
}

/** A single `partition:offset`. */
export function parsePartitionOffset(text: string, what: string): { partition: number; offset: number } {
  const match = /^(\d+):(\d+)$/.exec(text.trim());
  if (!match) throw usageError('BAD_OFFSETS', `${what} "${text}" is not partition:offset; write e.g. 0:12`);
  return { partition: Number(match[1]), offset: Number(match[2]) };
}
