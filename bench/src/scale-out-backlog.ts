import type { Message, Producer } from 'kafkajs';
import type { BenchTopics } from './bench-topics.ts';
import { readingMessage } from './produce-readings.ts';
import { backlogProducer, type ScaleOutContext } from './scale-out-context.ts';

/** A backlog as produced: what the oracle needs to check a run against. */
export interface Backlog {
  topics: BenchTopics;
  /** The input topic's name on the broker. */
  topic: string;
  events: number;
  keys: number;
  partitions: number;
  /** Event i's ID (its `ce_id`), for i = 0 … events − 1. */
  ids: string[];
  /** Records sent to each partition (offsets 0 … n − 1 of a fresh topic). */
  perPartition: number[];
  seconds: number;
}

/**
 * Sends events 0 … n − 1 (produce-readings.ts' records: CloudEvents headers, Confluent-framed JSON,
 * key = meter) in chunks, one after the other. Meter k goes to partition k mod partitions, so every
 * partition holds the same share and per-key order holds. `sender` is a producer or a transaction
 * (whose records no read-committed consumer sees before it commits).
 */
export async function sendBacklog(
  sender: Pick<Producer, 'send'>,
  topics: BenchTopics,
  events: number,
  keys: number,
  chunk = 5_000,
): Promise<Backlog> {
  const started = performance.now();
  const topic = topics.contracts.readings.name;
  const partitions = topics.contracts.readings.partitions;
  const ids: string[] = new Array(events);
  const perPartition = new Array<number>(partitions).fill(0);
  for (let from = 0; from < events; from += chunk) {
    const messages: Message[] = [];
    for (let i = from; i < Math.min(events, from + chunk); i++) {
      const partition = (i % keys) % partitions;
      const message = { ...readingMessage(topics, i, keys), partition };
      ids[i] = String(message.headers?.ce_id);
      perPartition[partition] = (perPartition[partition] ?? 0) + 1;
      messages.push(message);
    }
    await sender.send({ topic, messages, acks: -1 });
  }
  return {
    topics,
    topic,
    events,
    keys,
    partitions,
    ids,
    perPartition,
    seconds: (performance.now() - started) / 1000,
  };
}

/** The backlog in one transaction, committed before any instance starts. */
export async function produceCommitted(ctx: ScaleOutContext, topics: BenchTopics, events: number) {
  const producer = await backlogProducer(ctx);
  const transaction = await producer.transaction();
  try {
    const backlog = await sendBacklog(transaction, topics, events, ctx.keys);
    await transaction.commit();
    return backlog;
  } catch (error) {
    await transaction.abort().catch(() => {});
    throw error;
  } finally {
    await producer.disconnect().catch(() => {});
  }
}
