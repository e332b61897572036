import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { IntakeMetrics } from '../intake-metrics.ts';

/** At most `max` requests per `windowMs` (whole seconds: the Redis counters expire by the second). */
export interface Limit {
  max: number;
  windowMs: number;
}

export interface RateDecision {
  allowed: boolean;
  limit: Limit;
  remaining: number;
  /** Until the window ends. */
  resetMs: number;
}

interface Logger {
  error(object: object, message: string): void;
  info(message: string): void;
}

type Limiter = RateLimiterMemory | RateLimiterRedis;

/**
 * Fixed-window counters per bucket (`ip:…`, `client:…`), shared by every replica through Redis when
 * there is one. When Redis fails, the same limits are enforced in this process (per replica, so a
 * client may get up to one budget per replica) rather than not at all; the switch is logged once
 * each way and every decision taken locally is counted.
 */
export class RateLimits {
  readonly #redis: Redis | undefined;
  readonly #prefix: string;
  readonly #logger: Logger;
  readonly #metrics: IntakeMetrics;
  readonly #shared = new Map<string, Limiter>();
  readonly #local = new Map<string, RateLimiterMemory>();
  #degraded = false;

  constructor(options: { redis?: Redis; prefix: string; logger: Logger; metrics: IntakeMetrics }) {
    this.#redis = options.redis;
    this.#prefix = `${options.prefix}rate-limit`;
    this.#logger = options.logger;
    this.#metrics = options.metrics;
  }

  /** Counts one request against `bucket` and says whether it is within `limit`. */
  async consume(bucket: string, limit: Limit): Promise<RateDecision> {
    const key = `${bucket}:${limit.max}/${limit.windowMs / 1000}s`;
    const redis = this.#redis;
    if (!redis) return this.#decide(this.#memory(limit), key, limit);
    try {
      const decision = await this.#decide(this.#limiter(redis, limit), key, limit);
      if (this.#degraded) {
        this.#degraded = false;
        this.#metrics.rateLimitDegraded.set(0);
        this.#logger.info('Redis answers again: rate limits are shared between replicas again');
      }
      return decision;
    } catch (error) {
      if (!this.#degraded) {
        this.#degraded = true;
        this.#metrics.rateLimitDegraded.set(1);
        this.#logger.error(
          { err: error },
          'Redis failed: rate limits are enforced in this process (per replica) until it answers again',
        );
      }
      this.#metrics.rateLimitLocalDecisions.inc();
      return this.#decide(this.#memory(limit), key, limit);
    }
  }

  async #decide(limiter: Limiter, key: string, limit: Limit): Promise<RateDecision> {
    try {
      const res = await limiter.consume(key);
      return { allowed: true, limit, remaining: res.remainingPoints, resetMs: res.msBeforeNext };
    } catch (outcome) {
      // The library rejects with a RateLimiterRes when the limit is exceeded, with an Error when the store fails.
      if (outcome instanceof RateLimiterRes)
        return { allowed: false, limit, remaining: 0, resetMs: outcome.msBeforeNext };
      throw outcome;
    }
  }

  #limiter(redis: Redis, limit: Limit): Limiter {
    const id = `${limit.max}/${limit.windowMs}`;
    let limiter = this.#shared.get(id);
    if (!limiter) {
      limiter = new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: this.#prefix,
        points: limit.max,
        duration: limit.windowMs / 1000,
        // Fail at once while disconnected (then decide locally) instead of waiting for a reconnect.
        rejectIfRedisNotReady: true,
        // Its in-memory block would answer "limited" without asking Redis; keep Redis the one truth.
        inMemoryBlockOnConsumed: 0,
      });
      this.#shared.set(id, limiter);
    }
    return limiter;
  }

  #memory(limit: Limit): RateLimiterMemory {
    const id = `${limit.max}/${limit.windowMs}`;
    let limiter = this.#local.get(id);
    if (!limiter) {
      limiter = new RateLimiterMemory({ points: limit.max, duration: limit.windowMs / 1000 });
      this.#local.set(id, limiter);
    }
    return limiter;
  }
}
