// Tests of our patch to kafkajs 2.2.4 (patches/kafkajs@2.2.4.patch) through kafkajs' own encoders
// and decoders: header decoding in linear time, and the cap on the inflated size of compressed
// record batches with its placeholder message.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { refusedBatchBaseOffsetHeader, refusedBatchHeader } from './refused-batch.ts';

// kafkajs internals (CommonJS, untyped): typed here as far as the tests use them.
type HeaderValue = Buffer | null;
type DecodedHeaders = Record<string, HeaderValue | HeaderValue[]>;
interface DecodedRecord {
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: DecodedHeaders;
  isControlRecord: boolean;
  batchContext: Record<string, unknown>;
}
interface Encoder {
  buffer: Buffer;
  writeInt8(v: number): Encoder;
  writeInt16(v: number): Encoder;
  writeInt32(v: number): Encoder;
  writeUInt32(v: number): Encoder;
  writeInt64(v: number | string): Encoder;
  writeVarInt(v: number): Encoder;
  writeVarLong(v: number): Encoder;
  writeVarIntBytes(v: Buffer | null): Encoder;
  writeVarIntArray(v: Encoder[]): Encoder;
  writeBytes(v: Buffer): Encoder;
  writeBuffer(v: Buffer): Encoder;
  writeEncoder(v: Encoder): Encoder;
}
interface Decoder {
  readVarIntBytes(): Buffer;
}
interface Batch {
  messages: DecodedRecord[];
  lastOffset(): string;
}

const require = createRequire(import.meta.url);
const kafkajsRoot = dirname(require.resolve('kafkajs/package.json'));
const internal = <T>(path: string): T => require(`${kafkajsRoot}/src/${path}`) as T;

const EncoderClass = internal<new () => Encoder>('protocol/encoder');
const DecoderClass = internal<new (buffer: Buffer) => Decoder>('protocol/decoder');
const encodeHeader = internal<(h: { key: string; value: HeaderValue }) => Encoder>(
  'protocol/recordBatch/header/v0',
);
const encodeRecord = internal<
  (r: { offsetDelta?: number; key: Buffer | null; value: Buffer | null; headers?: object }) => Encoder
>('protocol/recordBatch/record/v0');
const decodeRecord = internal<(d: Decoder, batchContext: object) => DecodedRecord>(
  'protocol/recordBatch/record/v0/decoder',
);
const { RecordBatch } = internal<{
  RecordBatch: (b: {
    compression: number;
    firstOffset: unknown;
    firstTimestamp: number;
    maxTimestamp: number;
    lastOffsetDelta: number;
    records: Encoder[];
  }) => Promise<Encoder>;
}>('protocol/recordBatch/v0');
const decodeRecordBatch = internal<(d: Decoder) => Promise<{ records: DecodedRecord[] }>>(
  'protocol/recordBatch/v0/decoder',
);
const crc32C = internal<(b: Buffer) => number>('protocol/recordBatch/crc32C');
const Long = internal<{ fromValue(v: number | string): unknown }>('utils/long');
const compression = internal<{
  Types: { GZIP: number };
  DEFAULT_MAX_DECOMPRESSED_BYTES: number;
  maxDecompressedBytes(): number;
}>('protocol/message/compression');
const BatchClass =
  internal<new (topic: string, fetchedOffset: string, partitionData: object) => Batch>('consumer/batch');

const MiB = 1024 * 1024;
const capEnv = 'KAFKAJS_MAX_DECOMPRESSED_BYTES';
const batchContext = { firstOffset: '0', firstTimestamp: '0', magicByte: 2 };
const text = (value: HeaderValue | HeaderValue[] | undefined) =>
  Array.isArray(value) ? value.map((v) => v?.toString() ?? null) : (value?.toString() ?? value);

// One record through kafkajs' own record encoder and decoder (the decoder reads the record's
// bytes after its length, as the record batch decoder hands them over).
function roundTrip(headers: object): DecodedRecord {
  const encoded = encodeRecord({ key: null, value: Buffer.from('v'), headers });
  return decodeRecord(new DecoderClass(new DecoderClass(encoded.buffer).readVarIntBytes()), batchContext);
}

// A record whose headers are given as a list (interleaved names, null values), encoded field by
// field as kafkajs' record encoder does it.
function recordWithHeaderList(list: Array<[string, string | null]>): DecodedRecord {
  const body = new EncoderClass()
    .writeInt8(0)
    .writeVarLong(0)
    .writeVarInt(0)
    .writeVarIntBytes(null)
    .writeVarIntBytes(Buffer.from('v'))
    .writeVarIntArray(
      list.map(([key, value]) => encodeHeader({ key, value: value === null ? null : Buffer.from(value) })),
    );
  return decodeRecord(new DecoderClass(body.buffer), batchContext);
}

// A v2 record batch around an already compressed records section, laid out and checksummed as
// kafkajs' RecordBatch encoder does (lets a test bring a compressed section kafkajs would not make).
function gzipBatchAround(
  compressedRecords: Buffer,
  { firstOffset, lastOffsetDelta, count }: { firstOffset: number; lastOffsetDelta: number; count: number },
): Buffer {
  const body = new EncoderClass()
    .writeInt16(compression.Types.GZIP)
    .writeInt32(lastOffsetDelta)
    .writeInt64(1_000)
    .writeInt64(2_000)
    .writeInt64(-1)
    .writeInt16(0)
    .writeInt32(0)
    .writeInt32(count)
    .writeBuffer(compressedRecords);
  const batch = new EncoderClass()
    .writeInt32(0)
    .writeInt8(2)
    .writeUInt32(crc32C(body.buffer))
    .writeEncoder(body);
  return new EncoderClass().writeInt64(firstOffset).writeBytes(batch.buffer).buffer;
}

// Bytes of a v2 record batch before its records section: base offset (8), length (4), leader
// epoch (4), magic (1), CRC (4), attributes (2), last offset delta (4), first and max timestamps
// (16), producer ID (8) and epoch (2), base sequence (4), record count (4).
const recordBatchHeaderBytes = 61;

describe('kafkajs patch: record headers', () => {
  it('decodes a record with 10,000 headers in linear time and round-trips them, repeated names as arrays', () => {
    const headers: Record<string, string | string[]> = {};
    for (let i = 0; i < 10_000; i++) {
      headers[`h${i}`] = i % 100 === 0 ? [`v${i}a`, `v${i}b`, `v${i}c`] : `v${i}`;
    }
    const started = performance.now();
    const record = roundTrip(headers);
    const elapsedMs = performance.now() - started;

    // The unpatched reduce copied the object per header: about 30 s here for 10,000.
    expect(elapsedMs).toBeLessThan(2_000);
    expect(Object.keys(record.headers)).toEqual(Object.keys(headers));
    expect(Object.fromEntries(Object.entries(record.headers).map(([k, v]) => [k, text(v)]))).toEqual(headers);
  });

  it('keeps kafkajs semantics: first-appearance order, interleaved repeats in order, null values', () => {
    const { headers } = recordWithHeaderList([
      ['a', '1'],
      ['b', '2'],
      ['a', null],
      ['c', null],
      ['a', '3'],
      ['b', '4'],
      ['10', 'x'],
      ['2', 'y'],
    ]);
    // integer-like names come first, as in any object
    expect(Object.keys(headers)).toEqual(['2', '10', 'a', 'b', 'c']);
    expect(text(headers.a)).toEqual(['1', null, '3']);
    expect(text(headers.b)).toEqual(['2', '4']);
    expect(headers.c).toBeNull();
    expect(text(headers['10'])).toBe('x');
    expect(Object.getPrototypeOf(headers)).toBe(Object.prototype);
  });

  it('treats names of Object.prototype members as plain headers (the unpatched decoder mixed in the inherited member)', () => {
    const { headers } = recordWithHeaderList([
      ['toString', 't'],
      ['constructor', 'c'],
      ['__proto__', 'p'],
      ['__proto__', 'q'],
    ]);
    expect(text(headers.toString as unknown as HeaderValue)).toBe('t');
    expect(text(headers.constructor as unknown as HeaderValue)).toBe('c');
    expect(Object.getOwnPropertyNames(headers)).toEqual(['toString', 'constructor', '__proto__']);
    expect(text(Object.getOwnPropertyDescriptor(headers, '__proto__')?.value)).toEqual(['p', 'q']);
    expect(Object.getPrototypeOf(headers)).toBe(Object.prototype);
  });
});

describe('kafkajs patch: cap on decompressed record batches', () => {
  let previousCap: string | undefined;
  beforeEach(() => {
    previousCap = process.env[capEnv];
    process.env[capEnv] = String(1 * MiB);
  });
  afterEach(() => {
    if (previousCap === undefined) delete process.env[capEnv];
    else process.env[capEnv] = previousCap;
  });

  const gzipRecordBatch = (records: Encoder[], firstOffset: number) =>
    RecordBatch({
      compression: compression.Types.GZIP,
      firstOffset: Long.fromValue(firstOffset),
      firstTimestamp: 1_700_000_000_000,
      maxTimestamp: 1_700_000_000_500,
      lastOffsetDelta: records.length - 1,
      records,
    });

  it('still decodes a gzip batch under the cap normally', async () => {
    const records = Array.from({ length: 5 }, (_, i) =>
      encodeRecord({
        offsetDelta: i,
        key: Buffer.from(`k${i}`),
        value: Buffer.alloc(100 * 1024, i),
        headers: { n: String(i) },
      }),
    );
    const batch = await gzipRecordBatch(records, 40);
    const { records: decoded } = await decodeRecordBatch(new DecoderClass(batch.buffer));
    expect(decoded.map((r) => r.offset)).toEqual(['40', '41', '42', '43', '44']);
    expect(decoded.map((r) => r.key?.toString())).toEqual(['k0', 'k1', 'k2', 'k3', 'k4']);
    expect(decoded.every((r, i) => r.value?.equals(Buffer.alloc(100 * 1024, i)))).toBe(true);
    expect(decoded.every((r) => r.headers[refusedBatchHeader] === undefined)).toBe(true);
  });

  it('turns a gzip batch inflating past the cap into one placeholder at its last offset, with the compressed bytes', async () => {
    // 8 records of 1 MiB of zeros, compressed by kafkajs' own encoder: ~8 KiB that inflate to 8 MiB
    const records = Array.from({ length: 8 }, (_, i) =>
      encodeRecord({ offsetDelta: i, key: null, value: Buffer.alloc(MiB), headers: {} }),
    );
    const batch = await gzipRecordBatch(records, 100);
    const { records: decoded } = await decodeRecordBatch(new DecoderClass(batch.buffer));

    expect(decoded).toHaveLength(1);
    const [placeholder] = decoded as [DecodedRecord];
    expect(placeholder.offset).toBe('107'); // baseOffset + lastOffsetDelta
    expect(placeholder.key).toBeNull();
    expect(placeholder.timestamp).toBe('1700000000000'); // the batch's first timestamp
    expect(placeholder.isControlRecord).toBe(false);
    expect(text(placeholder.headers[refusedBatchHeader])).toBe('gzip output exceeds 1048576 bytes');
    expect(text(placeholder.headers[refusedBatchBaseOffsetHeader])).toBe('100');
    // the records section exactly as it was on the wire: a gzip stream of the 8 records
    expect(placeholder.value?.equals(batch.buffer.subarray(recordBatchHeaderBytes))).toBe(true);
    expect(placeholder.value?.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
  });

  it('refuses a 1 GiB gzip bomb without inflating it', async () => {
    // 1,024 gzip members of 1 MiB of zeros each (~1 KiB apiece): 1 MiB compressed, 1 GiB inflated
    const member = gzipSync(Buffer.alloc(MiB), { level: 9 });
    const bomb = Buffer.concat(Array.from({ length: 1024 }, () => member));
    const batch = gzipBatchAround(bomb, { firstOffset: 7, lastOffsetDelta: 2, count: 3 });

    const peakRssBefore = process.resourceUsage().maxRSS * 1024;
    const started = performance.now();
    const { records } = await decodeRecordBatch(new DecoderClass(batch));
    const elapsedMs = performance.now() - started;
    const peakRssGrowth = process.resourceUsage().maxRSS * 1024 - peakRssBefore;

    expect(records).toHaveLength(1);
    expect(records[0]?.offset).toBe('9');
    expect(text(records[0]?.headers[refusedBatchBaseOffsetHeader])).toBe('7');
    expect(records[0]?.value?.equals(bomb)).toBe(true);
    // inflating it all would take seconds and a GiB of memory; stopping at the cap takes neither
    expect(elapsedMs).toBeLessThan(1_000);
    expect(peakRssGrowth).toBeLessThan(256 * MiB);
  });

  it('is delivered by Batch when the fetch offset lies inside the refused batch', async () => {
    const records = Array.from({ length: 8 }, (_, i) =>
      encodeRecord({ offsetDelta: i, key: null, value: Buffer.alloc(MiB), headers: {} }),
    );
    const { records: decoded } = await decodeRecordBatch(
      new DecoderClass((await gzipRecordBatch(records, 100)).buffer),
    );
    const batch = new BatchClass('topic', '103', {
      partition: 0,
      highWatermark: '200',
      abortedTransactions: [],
      messages: decoded,
    });
    expect(batch.messages.map((m) => m.offset)).toEqual(['107']);
    expect(batch.lastOffset()).toBe('107');
  });

  it('reads the cap from KAFKAJS_MAX_DECOMPRESSED_BYTES, 64 MiB by default, and rejects a bad value', () => {
    expect(compression.maxDecompressedBytes()).toBe(MiB);
    delete process.env[capEnv];
    expect(compression.maxDecompressedBytes()).toBe(64 * MiB);
    expect(compression.DEFAULT_MAX_DECOMPRESSED_BYTES).toBe(64 * MiB);
    for (const bad of ['0', '-1', '1e6', '8MB', '1.5']) {
      process.env[capEnv] = bad;
      expect(() => compression.maxDecompressedBytes(), bad).toThrow(/positive integer/);
    }
  });
});
