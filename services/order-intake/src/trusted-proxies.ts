import { isIP } from 'node:net';
import proxyAddr from '@fastify/proxy-addr';

const names = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * INTAKE_TRUST_PROXY → the proxies whose X-Forwarded-For Fastify may believe: addresses and CIDRs
 * (`10.0.0.0/8`), or proxy-addr's names `loopback`, `linklocal`, `uniquelocal`; `false` or empty for
 * none. `true` (every hop) and hop counts are refused: either lets a client that reaches the service
 * directly choose its own address with a forged header, and so its rate-limit bucket.
 */
export function parseTrustedProxies(text: string): { proxies: string[] } | { problem: string } {
  const value = text.trim();
  if (value === '' || value === 'false') return { proxies: [] };
  if (value === 'true')
    return {
      problem:
        '"true" would trust every hop, so any client could pick its address with X-Forwarded-For; list the addresses or CIDRs of your proxies instead (e.g. 10.0.0.0/8,127.0.0.1)',
    };
  const proxies = value.split(',').map((entry) => entry.trim());
  const bad = proxies.filter((entry) => {
    if (names.has(entry)) return false;
    const [address = '', prefix, ...rest] = entry.split('/');
    const version = isIP(address);
    if (version === 0 || rest.length > 0) return true;
    if (prefix === undefined) return false;
    return !/^\d{1,3}$/.test(prefix) || Number(prefix) > (version === 4 ? 32 : 128);
  });
  if (bad.length > 0)
    return {
      problem: `${bad.map((b) => `"${b}"`).join(', ')} is not an IP address, a CIDR (10.0.0.0/8) or one of loopback, linklocal, uniquelocal`,
    };
  try {
    // The parser Fastify will use: what it refuses must stop start-up here, not at the first request.
    proxyAddr.compile(proxies);
  } catch (error) {
    return { problem: error instanceof Error ? error.message : String(error) };
  }
  return { proxies };
}
