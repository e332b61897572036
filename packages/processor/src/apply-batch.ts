import type { Consumer, EachBatchPayload } from 'kafkajs';
import type { HoldBackGate } from './hold-back.ts';
import type { RuntimeEvents } from './runtime-events.ts';
import type { SubBatchProcessor } from './sub-batch-processor.ts';

export interface BatchApplierDeps<DB> {
  subBatches: SubBatchProcessor<DB>;
  batchSize: number;
  holdBack: HoldBackGate | undefined;
  events: RuntimeEvents;
  /** An operator's pause: stop at the next sub-batch boundary. */
  paused(): boolean;
}

/**
 * One fetched batch of one partition, in sub-batches: each is applied (durable in Postgres or the
 * DLQ) before its last offset is resolved and committed. A pause, a rebalance or a stop ends the loop
 * at a sub-batch boundary; the rest is not resolved, so it is fetched again.
 */
export function batchApplier<DB>(deps: BatchApplierDeps<DB>) {
  return async (payload: EachBatchPayload, consumer: Consumer): Promise<void> => {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    const keepGoing = async () => {
      await heartbeat().catch(() => {});
      return isRunning() && !isStale();
    };
    const messages =
      deps.holdBack?.admit(consumer, batch.topic, batch.partition, batch.messages) ?? batch.messages;
    let applied: string | undefined;
    for (let i = 0; i < messages.length; i += deps.batchSize) {
      if (!isRunning() || isStale() || deps.paused()) break;
      const chunk = messages.slice(i, i + deps.batchSize);
      const started = performance.now();
      await deps.subBatches.process(batch.topic, batch.partition, chunk, keepGoing);
      const last = chunk.at(-1);
      if (last) {
        resolveOffset(last.offset);
        applied = last.offset;
      }
      await commitOffsetsIfNecessary();
      deps.events.emit('batch.applied', {
        topic: batch.topic,
        partition: batch.partition,
        records: chunk.length,
        seconds: (performance.now() - started) / 1000,
      });
      await heartbeat();
    }
    // kafkajs commits resolved offsets only after this returns; a paused instance commits them
    // itself first, so that its acknowledgement means the offsets are final.
    if (deps.paused() && applied !== undefined && isRunning() && !isStale())
      await commitOffsetsIfNecessary({
        topics: [
          {
            topic: batch.topic,
            partitions: [{ partition: batch.partition, offset: (BigInt(applied) + 1n).toString() }],
          },
        ],
      });
  };
}
