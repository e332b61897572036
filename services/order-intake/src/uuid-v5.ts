import { createHash } from 'node:crypto';

/** The namespace of every name-based ID order-intake derives (a fixed random UUID: never change it). */
export const intakeNamespace = '9b4f3c2e-6d1a-4e8b-a7c5-2f0e9d8b1a63';

/** A name-based UUID, version 5 (RFC 9562): the same name in the same namespace always gives the same ID. */
export function uuidV5(name: string, namespace: string = intakeNamespace): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  if (ns.length !== 16) throw new TypeError(`uuidV5: namespace "${namespace}" is not a UUID`);
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
