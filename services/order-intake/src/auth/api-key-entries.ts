import { parseDuration } from '../duration.ts';
import type { Limit } from '../rate-limit/rate-limits.ts';

/** One line of the key store: who the key belongs to, the key's hash, and optionally the client's limit. */
export interface ApiKeyEntry {
  clientId: string;
  /** `sha256:<64 hex>` of the key (hashApiKey). */
  hash: string;
  /** Requests per window for this client; the service default when absent. */
  limit?: Limit;
}

export const clientIdPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const hashPattern = /^sha256:[0-9a-f]{64}$/;

/** `600/1m`: at most 600 requests per minute; the window in whole seconds. */
export function parseLimit(text: string): Limit | string {
  const match = /^(\d+)\/(.+)$/.exec(text);
  const max = Number(match?.[1]);
  const windowMs = match?.[2] === undefined ? undefined : parseDuration(match[2]);
  if (!match || !Number.isSafeInteger(max) || max < 1 || windowMs === undefined)
    return `limit "${text}" is not <requests>/<window>, e.g. 600/1m`;
  if (windowMs < 1000 || windowMs % 1000 !== 0)
    return `limit "${text}": the window must be whole seconds (1s, 30s, 1m...)`;
  return { max, windowMs };
}

/**
 * Reads key entries: one per line (or separated by `;`, for an environment variable), fields separated
 * by spaces: `<client-id> sha256:<hex> [<requests>/<window>]`; `#` starts a comment. Every problem is
 * named with where it is (`source line n`), never with the text of a hash.
 */
export function parseApiKeyEntries(
  text: string,
  source: string,
): { entries: ApiKeyEntry[]; problems: string[] } {
  const entries: ApiKeyEntry[] = [];
  const problems: string[] = [];
  text.split(/[;\n]/).forEach((raw, index) => {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') return;
    const at = `${source} entry ${index + 1}`;
    const [clientId = '', hash = '', limitText, ...extra] = line.split(/\s+/);
    if (!clientIdPattern.test(clientId))
      problems.push(
        `${at}: the client ID (first field) must be 1-64 of A-Z a-z 0-9 . _ - (starting alphanumeric)`,
      );
    if (!hashPattern.test(hash))
      problems.push(
        `${at}: the second field must be sha256:<64 lower-case hex> (the hash, never the key itself; mint one with pnpm --filter @fleet/order-intake mint-api-key <client-id>)`,
      );
    const limit = limitText === undefined ? undefined : parseLimit(limitText);
    if (typeof limit === 'string') problems.push(`${at}: ${limit}`);
    if (extra.length > 0) problems.push(`${at}: unexpected text after the limit`);
    entries.push({ clientId, hash, ...(limit && typeof limit !== 'string' ? { limit } : {}) });
  });
  return { entries, problems };
}

/** Rules across entries: a hash names one client, and all keys of a client share one limit. */
export function apiKeyEntryProblems(entries: readonly ApiKeyEntry[]): string[] {
  const problems: string[] = [];
  const owners = new Map<string, string>();
  const limits = new Map<string, string>();
  for (const { clientId, hash, limit } of entries) {
    const owner = owners.get(hash);
    if (owner !== undefined)
      problems.push(
        owner === clientId
          ? `the same key hash is listed twice for client "${clientId}"`
          : `one key hash is listed for two clients, "${owner}" and "${clientId}"`,
      );
    owners.set(hash, clientId);
    const text = limit ? `${limit.max}/${limit.windowMs}ms` : 'the default';
    const other = limits.get(clientId);
    if (other !== undefined && other !== text)
      problems.push(
        `client "${clientId}" has keys with different limits (${other}, ${text}): its keys share one budget, give them the same limit`,
      );
    limits.set(clientId, text);
  }
  return problems;
}
