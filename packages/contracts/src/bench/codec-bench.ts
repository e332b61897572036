#!/usr/bin/env node
// Micro-benchmark: per-op cost of encode+decode of an OrderPlaced v2 (2 lines), 100k ops, median of 3.
// Compares EventCodec's direct path (zod validation, no Ajv) with the registry client's encode/decode
// (Ajv validation), and the v1→v2 upcast path. Needs the registry (SCHEMA_REGISTRY_URL) for ids only.
import { parseArgs } from 'node:util';
import { EventCodec } from '../event-codec.ts';
import { OrderPlaced, OrderPlacedV1, orderEvents } from '../orders/index.ts';

const { values } = parseArgs({
  options: {
    'registry-url': {
      type: 'string',
      default: process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7',
    },
    ops: { type: 'string', default: '100000' },
  },
});
const ops = Number(values.ops);
const codec = new EventCodec({ registryUrl: values['registry-url'] ?? '', events: orderEvents });
await codec.registerAll();
const id = codec.schemaIdOf(OrderPlaced);
const data = OrderPlaced.example;
const v1Buffer = codec.encodeSync(OrderPlacedV1, OrderPlacedV1.example);

async function measure(name: string, op: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < 2000; i++) await op(); // warm-up
  const runs: number[] = [];
  for (let r = 0; r < 3; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < ops; i++) await op();
    runs.push(Number(process.hrtime.bigint() - start) / ops / 1000);
  }
  runs.sort((a, b) => a - b);
  console.log(
    `${name.padEnd(44)} ${runs[1]?.toFixed(2)} µs/op  (runs: ${runs.map((r) => r.toFixed(2)).join(', ')})`,
  );
}

console.log(`Node ${process.version}, ${ops} ops per run, median of 3`);
await measure('EventCodec encode+decode', async () =>
  codec.decode(await codec.encode(OrderPlaced, data), OrderPlaced),
);
await measure('EventCodec encode only', async () => codec.encode(OrderPlaced, data));
const buffer = codec.encodeSync(OrderPlaced, data);
await measure('EventCodec decode only', async () => codec.decode(buffer, OrderPlaced));
await measure('EventCodec decode v1 + upcast to v2', async () => codec.decode(v1Buffer, OrderPlaced));
await measure('registry client encode+decode (Ajv)', async () =>
  codec.registry.decode(await codec.registry.encode(id, data)),
);
await measure('registry client decode only (Ajv)', async () => codec.registry.decode(buffer));
