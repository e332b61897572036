import ipaddr from 'ipaddr.js';

/**
 * The per-IP bucket of a client address: the address itself for IPv4 (and IPv4-mapped IPv6), its /64
 * for IPv6, since one host usually holds a whole /64 and could otherwise take a new address per request.
 */
export function ipBucket(ip: string): string {
  if (!ipaddr.isValid(ip)) return `ip:${ip}`;
  let address = ipaddr.parse(ip);
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress())
    address = (address as ipaddr.IPv6).toIPv4Address();
  if (address.kind() === 'ipv4') return `ip:${address.toString()}`;
  const parts = (address as ipaddr.IPv6).parts.slice(0, 4);
  return `ip:${new ipaddr.IPv6([...parts, 0, 0, 0, 0]).toNormalizedString()}/64`;
}
