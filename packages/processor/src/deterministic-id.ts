import { createHash } from 'node:crypto';

// A fixed namespace so that the same inputs give the same ID in every process and release.
const namespace = Buffer.from('6f1c2a8e4b3d4e7f9a0b1c2d3e4f5a6b', 'hex');

/**
 * A name-based UUID (version 5, RFC 9562) of the parts: re-processing the same source event
 * yields the same follow-on event IDs, so consumers dedupe a republish instead of applying it twice.
 */
export function deterministicId(...parts: (string | number)[]): string {
  const hash = createHash('sha1').update(namespace).update(parts.join('\u0000')).digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
