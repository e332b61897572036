import v8 from 'node:v8';
import vm from 'node:vm';
import { testKafka, uniqueName } from '@fleet/testkit';
import type { Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listDeadLetters, readDeadLetter, readDeadLetters } from '../src/operations/dead-letters.ts';
import type { OperatedProcessor } from '../src/operations/operation-error.ts';

const letters = 300;
const valueBytes = 200_000; // 60 MB of dead letters in all

// Live memory, not garbage awaiting collection: collect before each sample.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** The most live `arrayBuffers` (where record values live) grew above its start while `work` ran. */
async function peakBuffers<T>(work: () => Promise<T>): Promise<{ result: T; peakMb: number }> {
  gc();
  const start = process.memoryUsage().arrayBuffers;
  let peak = start;
  const sample = () => {
    gc();
    peak = Math.max(peak, process.memoryUsage().arrayBuffers);
  };
  const sampler = setInterval(sample, 25);
  try {
    const result = await work();
    sample();
    return { result, peakMb: (peak - start) / 1e6 };
  } finally {
    clearInterval(sampler);
  }
}

// Listing and showing dead letters read through the DLQ without holding it: a large DLQ cannot
// exhaust an instance's memory through its admin API.
describe('dead letters are listed with bounded memory', () => {
  const kafka = testKafka('dlq-listing-test');
  let admin: Admin;
  const name = uniqueName('dlq_listing').toLowerCase();
  const processor: OperatedProcessor = { name, groupId: name, topics: ['t'], dlqTopic: `${name}.dlq` };

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [{ topic: processor.dlqTopic, numPartitions: 3 }],
      waitForLeaders: true,
    });
    const producer = kafka.producer();
    await producer.connect();
    for (let i = 0; i < letters; i += 4)
      await producer.send({
        topic: processor.dlqTopic,
        acks: -1,
        messages: Array.from({ length: 4 }, (_, j) => ({
          key: `k${i + j}`,
          value: Buffer.alloc(valueBytes, i + j),
          headers: {
            ce_id: `e${i + j}`,
            dlq_error_code: (i + j) % 3 === 0 ? 'HANDLER_FAILED' : 'EVENT_INVALID',
          },
        })),
      });
    await producer.disconnect();
  });
  afterAll(async () => {
    await admin?.deleteTopics({ topics: [processor.dlqTopic] }).catch(() => {});
    await admin?.disconnect();
  });

  it('counts every match and keeps only `limit`, holding a fetch, not the topic', async () => {
    const whole = await peakBuffers(() => readDeadLetters(kafka, admin, processor));
    const listed = await peakBuffers(() =>
      listDeadLetters(kafka, admin, processor, { errorCode: 'HANDLER_FAILED' }, 10),
    );
    console.error(
      `dead letters, live buffers at the peak: read whole ${whole.peakMb.toFixed(1)} MB, listed ${listed.peakMb.toFixed(1)} MB`,
    );
    expect(listed.result.total).toBe(100);
    expect(listed.result.deadLetters).toHaveLength(10);
    expect(listed.result.deadLetters.every((l) => l.errorCode === 'HANDLER_FAILED')).toBe(true);
    // Reading it whole (what redrive of everything does) holds most of the 60 MB at once; listing does not.
    expect(whole.result).toHaveLength(letters);
    expect(whole.peakMb, `whole ${whole.peakMb} MB, listed ${listed.peakMb} MB`).toBeGreaterThan(30);
    expect(listed.peakMb, `whole ${whole.peakMb} MB, listed ${listed.peakMb} MB`).toBeLessThan(
      whole.peakMb / 2,
    );
  });

  it('shows one dead letter by reading from its offset, not the partition before it', async () => {
    const [end] = (await admin.fetchTopicOffsets(processor.dlqTopic)).filter((p) => Number(p.high) > 50);
    if (!end) throw new Error('no partition with 50 letters');
    const offset = Number(end.high) - 1;
    const shown = await peakBuffers(() => readDeadLetter(kafka, admin, processor, end.partition, offset));
    expect(shown.result.offset).toBe(offset);
    expect(shown.result.value?.length).toBe(valueBytes);
    expect(shown.peakMb).toBeLessThan(((Number(end.high) - 1) * valueBytes) / 1e6 / 2);
  });
});
