import type { Limit } from '../rate-limit/rate-limits.ts';
import { hashApiKey } from './api-key.ts';
import type { ApiKeyEntry } from './api-key-entries.ts';

/** A verified caller: every budget, idempotency scope and order ownership hangs on `clientId`. */
export interface ClientIdentity {
  clientId: string;
  limit: Limit;
}

/**
 * The keys the operator issued, by hash. A presented key is hashed and looked up; the key itself is
 * never stored or compared. Several keys may name one client (rotation): they share its identity.
 */
export class ApiKeyRegistry {
  readonly #byHash = new Map<string, ClientIdentity>();

  constructor(entries: readonly ApiKeyEntry[], defaultLimit: Limit) {
    for (const entry of entries)
      this.#byHash.set(entry.hash, { clientId: entry.clientId, limit: entry.limit ?? defaultLimit });
  }

  /** The client a key belongs to, or undefined for a missing or unknown key. */
  verify(key: string | undefined): ClientIdentity | undefined {
    if (key === undefined || key === '') return undefined;
    return this.#byHash.get(hashApiKey(key));
  }

  get size(): number {
    return this.#byHash.size;
  }
}
