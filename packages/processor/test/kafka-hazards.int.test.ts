// Two hazards of kafkajs 2.2.4 that our patch (patches/kafkajs@2.2.4.patch) defuses, on the real
// broker with a plain kafkajs consumer: a record with 10,000 headers (decoding was quadratic and
// froze the event loop for tens of seconds) and a gzip batch that inflates past the cap (it now
// arrives as one placeholder message at the batch's last offset instead of being inflated).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { gunzipSync } from 'node:zlib';
import { createTestTopic, testKafka, uniqueName, waitFor } from '@fleet/testkit';
import { CompressionTypes, type IHeaders, type KafkaMessage } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refusedBatchBaseOffsetHeader, refusedBatchHeader } from '../src/refused-batch.ts';

const MiB = 1024 * 1024;
const cap = 8 * MiB;
const capEnv = 'KAFKAJS_MAX_DECOMPRESSED_BYTES';

describe('kafkajs hazards on the real broker', () => {
  const kafka = testKafka('kafka-hazards');
  const admin = kafka.admin();
  let previousCap: string | undefined;

  beforeAll(async () => {
    // The patched decoder reads the cap at each decompression (and validates it when loaded).
    previousCap = process.env[capEnv];
    process.env[capEnv] = String(cap);
    await admin.connect();
  });
  afterAll(async () => {
    await admin.disconnect();
    if (previousCap === undefined) delete process.env[capEnv];
    else process.env[capEnv] = previousCap;
  });

  it('delivers a 10,000-header record, a placeholder for a gzip bomb and the record after it, never freezing the loop', async () => {
    const loopDelay = monitorEventLoopDelay({ resolution: 20 });
    loopDelay.enable();
    const topic = await createTestTopic(admin, 'kafka_hazards');
    const sentFrom = Date.now();

    const headers: Record<string, string | string[]> = {};
    for (let i = 0; i < 10_000; i++) headers[`h${i}`] = i % 1_000 === 0 ? [`v${i}a`, `v${i}b`] : `v${i}`;

    // 3 records of 8 MiB of zeros in one gzip batch: ~25 KB on the wire, 24 MiB inflated
    const bombValue = Buffer.alloc(8 * MiB);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ key: 'many-headers', value: 'h', headers }] }); // offset 0
    await producer.send({
      topic,
      compression: CompressionTypes.GZIP,
      messages: [0, 1, 2].map((i) => ({ key: `bomb-${i}`, value: bombValue })), // offsets 1..3
    });
    await producer.send({ topic, messages: [{ key: 'after', value: 'normal' }] }); // offset 4
    await producer.disconnect();

    const received: KafkaMessage[] = [];
    const groupId = uniqueName('kafka_hazards');
    const consumer = kafka.consumer({ groupId });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        received.push(...batch.messages);
      },
    });
    try {
      await waitFor('the record after the bomb', () =>
        received.some((m) => m.key?.toString() === 'after') ? true : undefined,
      );
      // eachBatch auto-resolves and commits: the group moves past the refused batch
      await waitFor('the committed offset past the last record', async () => {
        const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
        return committed?.partitions[0]?.offset === '5' ? true : undefined;
      });
    } finally {
      await consumer.disconnect();
      loopDelay.disable();
    }

    expect(received.map((m) => m.offset)).toEqual(['0', '3', '4']);
    const [many, placeholder, after] = received as [KafkaMessage, KafkaMessage, KafkaMessage];

    const text = (v: IHeaders[string]) =>
      Array.isArray(v) ? v.map((x) => x.toString()) : v === undefined ? undefined : v.toString();
    expect(Object.keys(many.headers ?? {})).toHaveLength(10_000);
    expect(Object.fromEntries(Object.entries(many.headers ?? {}).map(([k, v]) => [k, text(v)]))).toEqual(
      headers,
    );

    expect(placeholder.key).toBeNull();
    expect(Number(placeholder.timestamp)).toBeGreaterThanOrEqual(sentFrom); // the batch's first timestamp
    expect(Number(placeholder.timestamp)).toBeLessThanOrEqual(Date.now());
    expect(text(placeholder.headers?.[refusedBatchHeader])).toBe(`gzip output exceeds ${cap} bytes`);
    expect(text(placeholder.headers?.[refusedBatchBaseOffsetHeader])).toBe('1');
    // its value is the batch's compressed records section: nothing is lost
    const compressed = placeholder.value ?? Buffer.alloc(0);
    expect(compressed.length).toBeLessThan(MiB);
    const inflated = gunzipSync(compressed);
    expect(inflated.length).toBeGreaterThan(3 * bombValue.length);
    expect(inflated.length).toBeLessThan(3 * bombValue.length + 1_024);

    expect(after.value?.toString()).toBe('normal');
    expect(text(after.headers?.[refusedBatchHeader])).toBeUndefined();

    // The unpatched header decoding alone blocked the loop for tens of seconds (32 s for 10,000
    // headers); the bound is generous for a busy shared machine, where this test's own producer
    // encoding 8 MiB values takes a second of the loop.
    expect(loopDelay.max / 1e6).toBeLessThan(5_000);
  });
});
