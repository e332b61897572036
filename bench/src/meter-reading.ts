import type { MeterRead } from './bench-contracts.ts';

const NOTE =
  'benchmark padding so that the framed JSON value is about 300 bytes long, like a small business event with a few more fields and a description';

/**
 * The i-th event of a run: key `meter-<i mod keys>`, per-key sequence number, and a reading whose
 * last digit is 0 for exactly one event in ten (those publish a follow-on event).
 */
export function meterReading(i: number, keys: number, producedAt = Date.now()): MeterRead {
  const key = i % keys;
  return {
    meterId: `meter-${String(key).padStart(5, '0')}`,
    seq: Math.floor(i / keys),
    reading: i % 1000,
    unit: 'kWh',
    site: `site-${String(key % 300).padStart(3, '0')}`,
    firmware: '4.2.17-build.2291',
    producedAt,
    note: NOTE,
  };
}

/** Whether a reading publishes a follow-on event (one in ten). */
export const isMilestone = (reading: MeterRead) => reading.reading % 10 === 0;
