import type { Redis } from 'ioredis';
import type {
  IdempotencyRecord,
  IdempotencyStore,
  IdempotencyTtls,
  StoredResponse,
} from './idempotency-store.ts';

// GET-or-SET-NX in one step: a plain SET NX followed by GET could read a key that expired in between.
const reserveScript = `
local existing = redis.call('GET', KEYS[1])
if existing then return existing end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false
`;

// Delete only our own reservation: never a completed record or another request's reservation.
const releaseScript = `
local existing = redis.call('GET', KEYS[1])
if not existing then return 0 end
local ok, record = pcall(cjson.decode, existing)
if ok and record.state == 'in-flight' and record.token == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`;

interface ScriptedRedis {
  intakeIdempotencyReserve(key: string, record: string, ttlMs: number): Promise<string | null>;
  intakeIdempotencyRelease(key: string, token: string): Promise<number>;
}

/** Shared by every intake replica (REDIS_URL): a key reserved on one is seen by all. */
export class RedisIdempotencyStore implements IdempotencyStore {
  readonly #redis: Redis & ScriptedRedis;
  readonly #prefix: string;
  readonly #ttls: IdempotencyTtls;

  constructor(redis: Redis, options: IdempotencyTtls & { prefix: string }) {
    const scripted = redis as Redis & Partial<ScriptedRedis>;
    if (!scripted.intakeIdempotencyReserve)
      redis.defineCommand('intakeIdempotencyReserve', { numberOfKeys: 1, lua: reserveScript });
    if (!scripted.intakeIdempotencyRelease)
      redis.defineCommand('intakeIdempotencyRelease', { numberOfKeys: 1, lua: releaseScript });
    this.#redis = redis as Redis & ScriptedRedis;
    this.#prefix = `${options.prefix}idempotency:`;
    this.#ttls = options;
  }

  async reserve(key: string, fingerprint: string, token: string): Promise<IdempotencyRecord | undefined> {
    const record: IdempotencyRecord = { state: 'in-flight', fingerprint, token };
    const existing = await this.#redis.intakeIdempotencyReserve(
      this.#prefix + key,
      JSON.stringify(record),
      this.#ttls.inFlightTtlMs,
    );
    return existing === null ? undefined : (JSON.parse(existing) as IdempotencyRecord);
  }

  async complete(key: string, fingerprint: string, response: StoredResponse): Promise<void> {
    const record: IdempotencyRecord = { state: 'completed', fingerprint, response };
    await this.#redis.set(this.#prefix + key, JSON.stringify(record), 'PX', this.#ttls.ttlMs);
  }

  async release(key: string, token: string): Promise<void> {
    await this.#redis.intakeIdempotencyRelease(this.#prefix + key, token);
  }

  async ping(): Promise<void> {
    await this.#redis.ping();
  }
}
