import type { Consumer, KafkaMessage } from 'kafkajs';

/**
 * Holds records back: a runtime started with one does not process a partition's records at or past
 * its limit. A rebuild's replica uses it so as never to run past the live group's position.
 */
export interface HoldBack {
  /** The first offset not to process yet; undefined for no limit. */
  limitOf(topic: string, partition: number): bigint | undefined;
}

/**
 * Applies a HoldBack to fetched batches: records at or past a partition's limit are held back, that
 * partition stops fetching, and `release` lets it fetch again once the limit may have moved.
 */
export class HoldBackGate {
  readonly #limit: HoldBack;
  /** Partitions paused because they reached their limit. */
  readonly #held = new Map<string, { topic: string; partitions: number[] }>();

  constructor(limit: HoldBack) {
    this.#limit = limit;
  }

  /** The records of a batch below the limit; pauses the partition when some were held back. */
  admit(consumer: Consumer | undefined, topic: string, partition: number, messages: KafkaMessage[]) {
    const limit = this.#limit.limitOf(topic, partition);
    if (limit === undefined) return messages;
    const below = messages.filter((m) => BigInt(m.offset) < limit);
    if (below.length < messages.length) {
      consumer?.pause([{ topic, partitions: [partition] }]);
      const held = this.#held.get(topic) ?? { topic, partitions: [] };
      if (!held.partitions.includes(partition)) held.partitions.push(partition);
      this.#held.set(topic, held);
    }
    return below;
  }

  release(consumer: Consumer | undefined): void {
    if (this.#held.size === 0) return;
    consumer?.resume([...this.#held.values()]);
    this.#held.clear();
  }
}
