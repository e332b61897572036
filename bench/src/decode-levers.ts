#!/usr/bin/env node
// `pnpm bench:decode` — where D's decoding CPU per record goes, and what a lighter decode would save:
// the runtime's RecordDecoder against variants on the same records (as kafkajs hands them over:
// header values and the value as Buffers), in one process, variants interleaved, medians of rounds.
// A CPU microbenchmark (no Kafka, no Postgres; the registry only for the schema ids).
// Writes results/decode-levers.json and its README section with --write.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { EventCodec, type EventType, envelopeFromHeaders } from '@fleet/contracts';
import { infraSettings, uniqueName } from '@fleet/testkit';
import type { KafkaMessage } from 'kafkajs';
// Read-only use of the runtime's own decoder (not exported by @fleet/processor's index).
import { RecordDecoder } from '../../packages/processor/src/record-decoder.ts';
import { benchContracts } from './bench-contracts.ts';
import { median } from './bench-result.ts';
import { readingMessage } from './produce-readings.ts';
import { replaceSection } from './readme-sections.ts';
import { round } from './scenario.ts';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '50000' },
    rounds: { type: 'string', default: '7' },
    write: { type: 'boolean', default: false },
  },
});
const count = Number(values.records);
const rounds = Number(values.rounds);

const contracts = benchContracts(uniqueName('decode-readings'), uniqueName('decode-milestones'));
const codec = new EventCodec({
  registryUrl: infraSettings().schemaRegistryUrl,
  events: [contracts.MeterRead, contracts.MeterMilestone] as EventType[],
});
await codec.registerAll();
const topics = {
  contracts,
  codec,
  readingsTopic: contracts.readings.name,
  milestonesTopic: contracts.milestones.name,
};

// Records as kafkajs delivers them: every header value and the value as Buffers.
const messages: KafkaMessage[] = Array.from({ length: count }, (_, i) => {
  const m = readingMessage(topics, i, 10_000);
  return {
    key: Buffer.from(String(m.key)),
    value: m.value as Buffer,
    headers: Object.fromEntries(Object.entries(m.headers ?? {}).map(([k, v]) => [k, Buffer.from(String(v))])),
    offset: String(i),
    timestamp: String(Date.now()),
    attributes: 0,
  } as unknown as KafkaMessage;
});
const route = { event: contracts.MeterRead, kind: 'batch', handler: async () => {}, options: {} };
const decoder = new RecordDecoder(codec, [route as never]);
const schema = contracts.MeterRead.schema;

const headerStrings = (m: KafkaMessage) => {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(m.headers ?? {}))
    if (value !== undefined) headers[name] = Array.isArray(value) ? String(value[0]) : String(value);
  return headers;
};

const decodedHeaders = messages.map(headerStrings);
const isAscii = (b: Buffer) => {
  for (let i = 0; i < b.length; i++) if ((b[i] as number) >= 0x80) return false;
  return true;
};
const headerStringsAscii = (m: KafkaMessage) => {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(m.headers ?? {})) {
    const v = Array.isArray(value) ? value[0] : value;
    if (v === undefined) continue;
    headers[name] = typeof v === 'string' ? v : isAscii(v) ? v.toString('latin1') : v.toString('utf8');
  }
  return headers;
};

/** Short ASCII values decoded in JavaScript: a loop over the bytes is cheaper than a call into C++. */
const asciiInJs = (b: Buffer): string | undefined => {
  if (b.length > 128) return undefined;
  let text = '';
  for (let i = 0; i < b.length; i++) {
    const c = b[i] as number;
    if (c >= 0x80) return undefined;
    text += String.fromCharCode(c);
  }
  return text;
};
const headerStringsJs = (m: KafkaMessage) => {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(m.headers ?? {})) {
    const v = Array.isArray(value) ? value[0] : value;
    if (v === undefined) continue;
    headers[name] = typeof v === 'string' ? v : (asciiInJs(v) ?? v.toString('utf8'));
  }
  return headers;
};

/** Each variant consumes every record once; the time per record is what is compared. */
const variants: Record<string, { description: string; run: () => Promise<void> | void }> = {
  runtime: {
    description:
      "the runtime's RecordDecoder.decode, awaited per record (headers, envelope, codec.decode: JSON.parse + zod)",
    run: async () => {
      for (const m of messages) await decoder.decode('t', 0, m);
    },
  },
  syncDecode: {
    description:
      'the same work with no promise per record: headers, envelope, then JSON.parse + zod synchronously (a decodeSync for known schema ids)',
    run: () => {
      for (const m of messages) {
        const headers = headerStrings(m);
        envelopeFromHeaders(headers);
        const parsed = schema.safeParse(JSON.parse((m.value as Buffer).toString('utf8', 5)));
        if (!parsed.success) throw new Error('invalid');
      }
    },
  },
  headersOnly: {
    description: 'headers to strings + envelope only (no value decoding)',
    run: () => {
      for (const m of messages) envelopeFromHeaders(headerStrings(m));
    },
  },
  headerStringsOnly: {
    description: 'header values Buffer → string only (String(buffer), as the runtime does)',
    run: () => {
      for (const m of messages) headerStrings(m);
    },
  },
  headerStringsAscii: {
    description:
      'header values Buffer → string with an ASCII fast path (latin1 when no byte ≥ 0x80, else UTF-8)',
    run: () => {
      for (const m of messages) headerStringsAscii(m);
    },
  },
  headerStringsJs: {
    description:
      'header values Buffer → string decoded in JavaScript when short and ASCII (String.fromCharCode over the bytes, no call into C++), else UTF-8',
    run: () => {
      for (const m of messages) headerStringsJs(m);
    },
  },
  envelopeOnly: {
    description: 'envelopeFromHeaders on header strings already decoded (validation of every attribute)',
    run: () => {
      for (const h of decodedHeaders) envelopeFromHeaders(h);
    },
  },
  codecDecodeOnly: {
    description: 'codec.decode only, awaited per record (JSON.parse + zod)',
    run: async () => {
      for (const m of messages) await codec.decode(m.value as Buffer, contracts.MeterRead);
    },
  },
  jsonParseOnly: {
    description: 'JSON.parse of the value only (no validation: the floor, not an option)',
    run: () => {
      for (const m of messages) JSON.parse((m.value as Buffer).toString('utf8', 5));
    },
  },
};

const perRecordNs: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
for (const v of Object.values(variants)) await v.run(); // warm-up: JIT, caches
for (let r = 0; r < rounds; r++) {
  for (const [name, v] of Object.entries(variants)) {
    const started = process.cpuUsage();
    await v.run();
    const cpu = process.cpuUsage(started);
    perRecordNs[name]?.push(((cpu.user + cpu.system) * 1000) / count);
  }
}
const results = Object.entries(variants).map(([name, v]) => ({
  variant: name,
  description: v.description,
  cpuNsPerRecord: round(median(perRecordNs[name] ?? []) ?? 0, 0),
  samples: (perRecordNs[name] ?? []).map((x) => round(x, 0)),
}));
const ns = (name: string) => results.find((r) => r.variant === name)?.cpuNsPerRecord ?? 0;
const result = {
  schemaVersion: 1,
  startedAt: new Date().toISOString(),
  node: process.version,
  records: count,
  rounds,
  results,
  syncDecodeSavesNsPerRecord: ns('runtime') - ns('syncDecode'),
  jsHeaderDecodingSavesNsPerRecord: ns('headerStringsOnly') - ns('headerStringsJs'),
};
const body = [
  `Generated by \`pnpm bench:decode\` (${result.startedAt.slice(0, 16).replace('T', ' ')} UTC, Node ${result.node}; ${count.toLocaleString('en')} bench records as kafkajs hands them over, process CPU per record, median of ${rounds} interleaved rounds; \`results/decode-levers.json\`).`,
  '',
  '| variant | CPU ns/record |',
  '|---|---:|',
  ...results.map((r) => `| ${r.description} | ${r.cpuNsPerRecord.toLocaleString('en')} |`),
  '',
  `A synchronous decode for known schema ids would save ${result.syncDecodeSavesNsPerRecord.toLocaleString('en')} ns of CPU per record against the runtime's decoder; decoding short ASCII header values in JavaScript ${result.jsHeaderDecodingSavesNsPerRecord.toLocaleString('en')} ns.`,
].join('\n');
if (values.write) {
  writeFileSync(
    new URL('../results/decode-levers.json', import.meta.url),
    `${JSON.stringify(result, null, 2)}\n`,
  );
  const readme = new URL('../README.md', import.meta.url);
  writeFileSync(readme, replaceSection(readFileSync(readme, 'utf8'), 'decode-levers', body));
}
process.stdout.write(`${body}\n`);
