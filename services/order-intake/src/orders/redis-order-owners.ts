import type { Redis } from 'ioredis';
import type { OrderOwners } from './order-owners.ts';

// GET-or-SET-NX in one step, so two replicas claiming one order at once agree on the owner.
const claimScript = `
local owner = redis.call('GET', KEYS[1])
if owner then return owner end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return ARGV[1]
`;

interface ScriptedRedis {
  intakeOrderClaim(key: string, clientId: string, ttlMs: number): Promise<string>;
}

/** Shared by every replica: an order claimed through one is owned on all, for `ttlMs`. */
export class RedisOrderOwners implements OrderOwners {
  readonly #redis: Redis & ScriptedRedis;
  readonly #prefix: string;
  readonly #ttlMs: number;

  constructor(redis: Redis, options: { prefix: string; ttlMs: number }) {
    const scripted = redis as Redis & Partial<ScriptedRedis>;
    if (!scripted.intakeOrderClaim)
      redis.defineCommand('intakeOrderClaim', { numberOfKeys: 1, lua: claimScript });
    this.#redis = redis as Redis & ScriptedRedis;
    this.#prefix = `${options.prefix}order-owner:`;
    this.#ttlMs = options.ttlMs;
  }

  async claim(orderId: string, clientId: string): Promise<string> {
    return this.#redis.intakeOrderClaim(this.#prefix + orderId, clientId, this.#ttlMs);
  }
}
