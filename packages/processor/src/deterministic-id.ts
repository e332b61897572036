import { createHash } from 'node:crypto';

/** The namespace of every deterministic ID: fixed, so the same inputs give the same ID in every process and release. */
export const DETERMINISTIC_ID_NAMESPACE = '6f1c2a8e-4b3d-4e7f-9a0b-1c2d3e4f5a6b';

/**
 * A name-based UUID, version 5 (RFC 9562 §5.5): SHA-1 of the namespace's 16 bytes followed by the
 * name in UTF-8, the first 16 bytes of the digest with the version (5) and the variant (10) set.
 */
export function uuidV5(namespace: string, name: string): string {
  const ns = Buffer.from(namespace.replaceAll('-', ''), 'hex');
  if (ns.length !== 16) throw new Error(`not a UUID: ${namespace}`);
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The UUIDv5 of the parts joined by NUL, in {@link DETERMINISTIC_ID_NAMESPACE}: re-processing the
 * same source event yields the same follow-on event IDs (`deterministicId(sourceId, processor, n)`
 * for its n-th follow-on), so consumers dedupe a republish instead of applying it twice.
 */
export function deterministicId(...parts: (string | number)[]): string {
  return uuidV5(DETERMINISTIC_ID_NAMESPACE, parts.join('\u0000'));
}
