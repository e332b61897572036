import { LRUCache } from 'lru-cache';

/**
 * Which client an order belongs to: the first client whose place or cancel names an order ID claims
 * it, and only that client may place or cancel it afterwards. A cancel may arrive before its order
 * (it claims the ID then), so a claim is not proof that the order exists.
 */
export interface OrderOwners {
  /** Records `clientId` as the owner unless the order has one; resolves to the owner either way. */
  claim(orderId: string, clientId: string): Promise<string>;
}

/**
 * One process only (no REDIS_URL): bounded, so a flood of order IDs evicts the oldest claims, and an
 * evicted order can be claimed again. Development and single-replica use; production uses Redis.
 */
export class MemoryOrderOwners implements OrderOwners {
  readonly #owners: LRUCache<string, string>;

  constructor(options: { ttlMs: number; maxEntries: number }) {
    this.#owners = new LRUCache({ max: options.maxEntries, ttl: options.ttlMs, ttlAutopurge: false });
  }

  async claim(orderId: string, clientId: string): Promise<string> {
    const owner = this.#owners.get(orderId);
    if (owner !== undefined) return owner;
    this.#owners.set(orderId, clientId);
    return clientId;
  }
}
