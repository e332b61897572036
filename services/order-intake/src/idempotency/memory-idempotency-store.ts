import { LRUCache } from 'lru-cache';
import type {
  IdempotencyRecord,
  IdempotencyStore,
  IdempotencyTtls,
  StoredResponse,
} from './idempotency-store.ts';

/**
 * One process only (no REDIS_URL): a bounded LRU, so a flood of keys evicts the oldest instead of
 * exhausting memory. An evicted or forgotten key executes again, with the same deterministic event ID.
 */
export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly #records: LRUCache<string, IdempotencyRecord>;
  readonly #ttls: IdempotencyTtls;

  constructor(ttls: IdempotencyTtls & { maxEntries: number }) {
    this.#ttls = ttls;
    this.#records = new LRUCache({ max: ttls.maxEntries, ttl: ttls.ttlMs, ttlAutopurge: false });
  }

  async reserve(key: string, fingerprint: string, token: string): Promise<IdempotencyRecord | undefined> {
    const existing = this.#records.get(key);
    if (existing) return existing;
    this.#records.set(key, { state: 'in-flight', fingerprint, token }, { ttl: this.#ttls.inFlightTtlMs });
    return undefined;
  }

  async complete(key: string, fingerprint: string, response: StoredResponse): Promise<void> {
    this.#records.set(key, { state: 'completed', fingerprint, response }, { ttl: this.#ttls.ttlMs });
  }

  async release(key: string, token: string): Promise<void> {
    const existing = this.#records.peek(key);
    if (existing?.state === 'in-flight' && existing.token === token) this.#records.delete(key);
  }

  async ping(): Promise<void> {}

  get size(): number {
    return this.#records.size;
  }
}
