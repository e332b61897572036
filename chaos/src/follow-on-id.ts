import { createHash } from 'node:crypto';

/**
 * The runtime's follow-on event ID, written out again from its specification instead of imported,
 * so the oracle does not lean on the code it checks: the n-th event a processor publishes for a
 * source event has the ID UUIDv5(namespace, `${sourceId}\0${processor}\0${n}`) (RFC 9562 §5.5),
 * namespace 6f1c2a8e-4b3d-4e7f-9a0b-1c2d3e4f5a6b (`packages/processor/src/deterministic-id.ts`).
 * `follow-on-id.unit.test.ts` pins it to known answers from Python's uuid module and to the RFC's
 * test vector.
 */
export const FOLLOW_ON_NAMESPACE = '6f1c2a8e-4b3d-4e7f-9a0b-1c2d3e4f5a6b';

export function followOnId(sourceId: string, processor: string, n: number): string {
  return nameBasedUuidV5(FOLLOW_ON_NAMESPACE, [sourceId, processor, String(n)].join('\0'));
}

/** RFC 9562 §5.5: SHA-1 over namespace bytes ‖ name bytes; octet 6 high nibble = 5, octet 8 top bits = 10. */
export function nameBasedUuidV5(namespace: string, name: string): string {
  const nsHex = namespace.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/i.test(nsHex)) throw new Error(`not a UUID: ${namespace}`);
  const nsBytes = Uint8Array.from({ length: 16 }, (_, i) =>
    Number.parseInt(nsHex.slice(2 * i, 2 * i + 2), 16),
  );
  const digest = createHash('sha1')
    .update(Buffer.concat([nsBytes, new TextEncoder().encode(name)]))
    .digest();
  const octets = [...digest.subarray(0, 16)];
  octets[6] = (0x50 | ((octets[6] as number) & 0x0f)) >>> 0;
  octets[8] = (0x80 | ((octets[8] as number) & 0x3f)) >>> 0;
  const hex = octets.map((o) => o.toString(16).padStart(2, '0'));
  return [hex.slice(0, 4), hex.slice(4, 6), hex.slice(6, 8), hex.slice(8, 10), hex.slice(10, 16)]
    .map((group) => group.join(''))
    .join('-');
}
