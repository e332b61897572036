import { envelopeToHeaders, newEnvelope } from '@fleet/contracts';
import type { Message, Producer } from 'kafkajs';
import type { BenchTopics } from './bench-topics.ts';
import { meterReading } from './meter-reading.ts';

/** One record as an upstream producer writes it: CloudEvents headers, Confluent-framed JSON, key = meter. */
export function readingMessage(
  topics: BenchTopics,
  i: number,
  keys: number,
  producedAt = Date.now(),
): Message {
  const data = meterReading(i, keys, producedAt);
  const envelope = newEnvelope({
    type: topics.contracts.MeterRead.type,
    source: '/fleet/bench',
    subject: data.meterId,
  });
  return {
    key: data.meterId,
    value: topics.codec.encodeSync(topics.contracts.MeterRead, data),
    headers: envelopeToHeaders(envelope),
  };
}

export interface ProducedReadings {
  count: number;
  seconds: number;
  /** Mean size of a record value (framed JSON) and of its headers, in bytes. */
  valueBytes: number;
  headerBytes: number;
}

/** Produces events 0..count-1 in order (chunks sent one after the other, so per-key order holds). */
export async function produceReadings(
  producer: Producer,
  topics: BenchTopics,
  count: number,
  keys: number,
  chunk = 5_000,
): Promise<ProducedReadings> {
  const started = performance.now();
  let valueBytes = 0;
  let headerBytes = 0;
  for (let from = 0; from < count; from += chunk) {
    const messages: Message[] = [];
    for (let i = from; i < Math.min(count, from + chunk); i++) {
      const message = readingMessage(topics, i, keys);
      valueBytes += (message.value as Buffer).length;
      for (const [name, value] of Object.entries(message.headers ?? {}))
        headerBytes += name.length + String(value).length;
      messages.push(message);
    }
    await producer.send({ topic: topics.readingsTopic, messages, acks: -1 });
  }
  return {
    count,
    seconds: (performance.now() - started) / 1000,
    valueBytes: Math.round(valueBytes / Math.max(count, 1)),
    headerBytes: Math.round(headerBytes / Math.max(count, 1)),
  };
}
