#!/usr/bin/env node
// Drives order flows at a given rate through the HTTP intake and straight to Kafka, with duplicates,
// overtaking and late cancellations and bad records; optionally writes the expected final state (the oracle).
import { writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { orderEvents } from '@fleet/contracts/orders';
import { createProducer } from '@fleet/producer';
import { Command, InvalidArgumentError } from 'commander';
import { Kafka, logLevel } from 'kafkajs';
import { oracleOf } from './oracle.ts';
import { defaultMix, orderFlowStream } from './order-flows.ts';
import { TrafficSender } from './traffic-sender.ts';

const number = (min: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min) throw new InvalidArgumentError(`must be a number >= ${min}`);
  return n;
};
const share = (value: string) => {
  const n = Number(value);
  if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError('must be a share between 0 and 1');
  return n;
};

const program = new Command('traffic-generator')
  .description('Drive realistic order flows into the fleet')
  .option('--orders <n>', 'orders to send (0 with --duration 0: until stopped)', number(0), 1_000)
  .option('--duration <seconds>', '0 sends forever at --rate (the demo)', number(0))
  .option('--rate <orders/s>', 'orders per second', number(0.1), 50)
  .option('--seed <n>', 'replays the same traffic', number(0), Date.now() % 1_000_000)
  .option(
    '--intake-share <share>',
    'share of orders sent through the HTTP intake',
    share,
    defaultMix.intakeShare,
  )
  .option('--duplicate-share <share>', 'share of orders sent twice', share, defaultMix.duplicateShare)
  .option('--cancel-share <share>', 'share of orders cancelled right after', share, defaultMix.cancelShare)
  .option(
    '--overtake-share <share>',
    'share of orders whose cancellation is sent first',
    share,
    defaultMix.overtakeShare,
  )
  .option(
    '--late-cancel-share <share>',
    'share of orders cancelled a while after (typically once confirmed: the saga compensates)',
    share,
    defaultMix.lateCancelShare,
  )
  .option(
    '--late-cancel-delay <ms>',
    'how long after its order a late cancellation is sent',
    number(0),
    3_000,
  )
  .option('--malformed <n>', 'undecodable records to send', number(0), 0)
  .option('--poison <n>', 'records that fail schema validation', number(0), 0)
  .option('--oracle <file>', 'write the expected final state here when done')
  .option('--intake-url <url>', 'the order-intake service', process.env.INTAKE_URL ?? 'http://127.0.0.1:8101')
  .option(
    '--api-key <key>',
    'the intake API key to send (default: INTAKE_API_KEY)',
    process.env.INTAKE_API_KEY,
  )
  .option('--brokers <list>', 'Kafka bootstrap brokers', process.env.KAFKA_BROKERS ?? '127.0.0.1:9092')
  .option(
    '--registry-url <url>',
    'Schema Registry',
    process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7',
  )
  .parse();

const o = program.opts<{
  orders: number;
  duration?: number;
  rate: number;
  seed: number;
  intakeShare: number;
  duplicateShare: number;
  cancelShare: number;
  overtakeShare: number;
  lateCancelShare: number;
  lateCancelDelay: number;
  malformed: number;
  poison: number;
  oracle?: string;
  intakeUrl: string;
  apiKey?: string;
  brokers: string;
  registryUrl: string;
}>();

if (o.intakeShare > 0 && !o.apiKey) {
  console.error(
    'traffic-generator: the intake needs an API key: set INTAKE_API_KEY or --api-key (or --intake-share 0)',
  );
  process.exit(2);
}
const brokers = o.brokers.split(',').map((b) => b.trim());
const producer = createProducer({
  brokers,
  registryUrl: o.registryUrl,
  source: '/fleet/traffic-generator',
  events: orderEvents,
});
const raw = new Kafka({ clientId: 'traffic-generator-raw', brokers, logLevel: logLevel.ERROR }).producer();
await Promise.all([producer.connect(), raw.connect()]);
const sender = new TrafficSender({
  intakeUrl: o.intakeUrl,
  apiKey: o.apiKey ?? '',
  producer,
  raw,
  lateCancelDelayMs: o.lateCancelDelay,
});

let stopping = false;
process.on('SIGINT', () => {
  stopping = true;
});
process.on('SIGTERM', () => {
  stopping = true;
});

const forever = o.duration === 0;
const total = forever ? Number.POSITIVE_INFINITY : o.duration ? Math.round(o.duration * o.rate) : o.orders;
const mix = {
  ...defaultMix,
  intakeShare: o.intakeShare,
  duplicateShare: o.duplicateShare,
  cancelShare: o.cancelShare,
  overtakeShare: o.overtakeShare,
  lateCancelShare: o.lateCancelShare,
};
// Kept only for the oracle: the demo sends forever, and keeping every flow grew without bound.
const sent = [];
let count = 0;
const started = Date.now();
console.log(
  `traffic-generator: seed ${o.seed}, ${forever ? 'until stopped' : `${total} orders`} at ${o.rate}/s`,
);
const inFlight = new Set<Promise<void>>();
for (const flow of orderFlowStream(o.seed, mix)) {
  if (stopping || count >= total) break;
  const due = started + (count / o.rate) * 1000;
  if (due > Date.now()) await sleep(due - Date.now());
  const p = sender.send(flow).then(() => {
    inFlight.delete(p);
  });
  inFlight.add(p);
  count++;
  if (o.oracle) sent.push(flow);
  if (inFlight.size >= 32) await Promise.race(inFlight);
}
await Promise.all(inFlight);
await sender.drain();
const deadLetters: string[] = [];
for (let i = 0; i < o.malformed; i++) deadLetters.push(await sender.sendMalformed());
for (let i = 0; i < o.poison; i++) deadLetters.push(await sender.sendPoison());
await Promise.all([producer.disconnect(), raw.disconnect()]);

const seconds = (Date.now() - started) / 1000;
console.log(
  `traffic-generator: sent ${count} orders and ${deadLetters.length} bad records in ${seconds.toFixed(1)} s`,
);
if (o.oracle) {
  writeFileSync(o.oracle, `${JSON.stringify(await oracleOf(sent, deadLetters), null, 2)}\n`);
  console.log(`traffic-generator: oracle written to ${o.oracle}`);
}
