import { setTimeout as sleep } from 'node:timers/promises';
import type { Producer } from 'kafkajs';
import { type Kysely, sql } from 'kysely';
import { startSendSpans } from './event-span.ts';
import type { Logger } from './logger.ts';
import { deleteOutboxRows, oldestOutboxRows } from './outbox-store.ts';
import type { ProcessorMetrics } from './processor-metrics.ts';

export interface OutboxRelayOptions {
  db: Kysely<unknown>;
  producer: Producer;
  /** Names the advisory lock: one relay per processor schema publishes at a time, keeping key order. */
  lockName: string;
  pollMs: number;
  batchSize?: number;
  logger: Logger;
  metrics: ProcessorMetrics;
}

/**
 * Publishes outbox rows in commit order with the idempotent producer (acks=all) and deletes them only
 * after the broker acknowledged. A crash between the two republishes the same event IDs: at least
 * once on the wire, exactly once after the consumers' dedupe.
 */
export class OutboxRelay {
  readonly #o: OutboxRelayOptions;
  readonly #batchSize: number;
  #running = false;
  #wake: (() => void) | undefined;
  #loop: Promise<void> | undefined;

  constructor(options: OutboxRelayOptions) {
    this.#o = options;
    this.#batchSize = options.batchSize ?? 500;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  /** Publish now rather than at the next poll (called after a commit that wrote outbox rows). */
  wake(): void {
    this.#wake?.();
  }

  /** Stops polling after publishing everything that is in the outbox now (bounded by `timeoutMs`). */
  async stop(timeoutMs = 10_000): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.wake();
    await this.#loop;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      try {
        if ((await this.publishOnce()) === 0) return;
      } catch (error) {
        this.#o.logger.warn({ err: error }, 'outbox flush at shutdown failed; rows stay for the next start');
        return;
      }
    }
  }

  async #run(): Promise<void> {
    let failures = 0;
    while (this.#running) {
      try {
        const published = await this.publishOnce();
        failures = 0;
        if (published === this.#batchSize) continue; // more waiting: no pause
      } catch (error) {
        failures++;
        this.#o.logger.warn({ err: error, failures }, 'outbox relay failed; retrying');
        await sleep(Math.min(100 * 2 ** failures, 10_000));
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.#o.pollMs);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }

  /** One round: lock, read the oldest rows, send, delete, commit. Returns how many were published. */
  async publishOnce(): Promise<number> {
    return this.#o.db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ locked: boolean }>`
        select pg_try_advisory_xact_lock(hashtext(${this.#o.lockName})) as locked`.execute(trx);
      if (!rows[0]?.locked) return 0; // another instance is relaying this outbox
      const messages = await oldestOutboxRows(trx, this.#batchSize);
      if (messages.length === 0) return 0;
      // A `send` span per row, in the trace its row carries; the record carries the send span on.
      const sends = startSendSpans(messages, { 'fleet.outbox': this.#o.lockName });
      // One topic at a time, rows in commit order: per key (one partition) order is kept.
      const topicMessages: {
        topic: string;
        messages: { key: string | null; value: Buffer; headers: Record<string, string> }[];
      }[] = [];
      messages.forEach((m, i) => {
        const last = topicMessages.at(-1);
        const message = { key: m.key, value: m.value, headers: sends.headers[i] ?? m.headers };
        if (last?.topic === m.topic) last.messages.push(message);
        else topicMessages.push({ topic: m.topic, messages: [message] });
      });
      try {
        await this.#o.producer.sendBatch({ topicMessages, acks: -1 });
      } catch (error) {
        sends.end(error);
        throw error;
      }
      sends.end();
      await deleteOutboxRows(
        trx,
        messages.map((m) => m.seq),
      );
      this.#o.metrics.published.add(messages.length);
      return messages.length;
    });
  }
}
