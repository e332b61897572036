import { type DeadLetter, deadLetterHeaders } from '../dead-letter.ts';
import { scanPartitions } from '../operations/topic-scanner.ts';
import type { RebuildContext } from './rebuild-context.ts';

const coordinates = (topic: string, partition: number | string, offset: string) =>
  `${topic}:${partition}:${offset}`;

/**
 * Which records a processor's DLQ holds already, by the source coordinates (topic, partition, offset)
 * of its letters. A replica replays every record the live version dead-lettered; it asks here before
 * sending a letter, so that a rebuild does not add a second letter for the same record.
 *
 * Read from the DLQ's start once, then only what it gained since, when a letter is not known yet.
 * That is enough: the replica never passes the live group's committed offsets, and the live version
 * sends a record's letter before it commits the record's offset. Memory: one short string per letter
 * of this processor.
 */
export class KnownDeadLetters {
  readonly #ctx: Pick<RebuildContext, 'kafka' | 'admin' | 'logger' | 'processor' | 'dlqTopic'>;
  readonly #known = new Set<string>();
  /** Per DLQ partition, the offset read up to. */
  readonly #readTo = new Map<number, number>();
  #reading: Promise<void> = Promise.resolve();
  /** Letters the replica left out because the DLQ held them already. */
  skipped = 0;

  constructor(ctx: Pick<RebuildContext, 'kafka' | 'admin' | 'logger' | 'processor' | 'dlqTopic'>) {
    this.#ctx = ctx;
  }

  /** Of these letters, those the DLQ holds already; when it cannot be read, none (sent again rather than lost). */
  held = async (letters: DeadLetter[]): Promise<ReadonlySet<DeadLetter>> => {
    const isKnown = (l: DeadLetter) => this.#known.has(coordinates(l.topic, l.partition, l.message.offset));
    if (!letters.every(isKnown)) await this.readNew();
    const held = new Set(letters.filter(isKnown));
    this.skipped += held.size;
    return held;
  };

  /** Reads what the DLQ gained since the last read; one read at a time. Failures are logged, not thrown. */
  readNew(): Promise<void> {
    this.#reading = this.#reading.then(() =>
      this.#read().catch((error: unknown) =>
        this.#ctx.logger.warn(
          { err: error, topic: this.#ctx.dlqTopic },
          'could not read the dead-letter topic; records the replay dead-letters are sent to it even if it holds them already',
        ),
      ),
    );
    return this.#reading;
  }

  async #read(): Promise<void> {
    const { kafka, admin, dlqTopic, processor } = this.#ctx;
    if (!(await admin.listTopics()).includes(dlqTopic)) return;
    const ranges = (await admin.fetchTopicOffsets(dlqTopic))
      .map((p) => ({
        topic: dlqTopic,
        partition: p.partition,
        start: Math.max(this.#readTo.get(p.partition) ?? 0, Number(p.low)),
        end: Number(p.high),
      }))
      .filter((r) => r.end > r.start);
    if (ranges.length === 0) return;
    await scanPartitions(kafka, admin, ranges, {
      purpose: 'rebuild-dlq',
      keep: false,
      onRecord: ({ headers }) => {
        const h = (name: string) => headers[name]?.toString('utf8');
        if (h(deadLetterHeaders.processor) !== processor) return; // a DLQ shared with another processor
        const topic = h(deadLetterHeaders.sourceTopic);
        const partition = h(deadLetterHeaders.sourcePartition);
        const offset = h(deadLetterHeaders.sourceOffset);
        if (topic && partition && offset) this.#known.add(coordinates(topic, partition, offset));
      },
    });
    for (const r of ranges) this.#readTo.set(r.partition, r.end);
  }
}
