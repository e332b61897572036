import type { FastifyReply, FastifyRequest } from 'fastify';
import { clientOf } from '../auth/authenticate.ts';
import { HttpError } from '../http-error.ts';
import { ipBucket } from './ip-bucket.ts';
import type { Limit, RateDecision, RateLimits } from './rate-limits.ts';

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

function refuse(decision: RateDecision, who: string): HttpError {
  const { max, windowMs } = decision.limit;
  const retry = seconds(decision.resetMs);
  return new HttpError(
    'RATE_LIMITED',
    `Rate limit exceeded: at most ${max} requests per ${windowMs / 1000} s ${who}. Retry in ${retry} s.`,
    { retryAfterSeconds: retry },
  );
}

/**
 * onRequest hook, before authentication: one address (an IPv6 /64) gets at most `limit` whatever keys
 * it sends, valid or not, so neither a set of keys nor key guessing buys more.
 */
export function ipFloor(limits: RateLimits, limit: Limit) {
  return async (request: FastifyRequest): Promise<void> => {
    const decision = await limits.consume(ipBucket(request.ip), limit);
    if (!decision.allowed) throw refuse(decision, 'from one address');
  };
}

/** onRequest hook, after authentication: the client's own budget, shared by all its keys. */
export function clientLimit(limits: RateLimits) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const client = clientOf(request);
    const decision = await limits.consume(`client:${client.clientId}`, client.limit);
    reply.header('x-ratelimit-limit', String(client.limit.max));
    reply.header('x-ratelimit-remaining', String(decision.remaining));
    reply.header('x-ratelimit-reset', String(seconds(decision.resetMs)));
    if (!decision.allowed) throw refuse(decision, 'per client');
  };
}
