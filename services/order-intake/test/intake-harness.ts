import { applyTopicPlan, ordersTopic, planTopics } from '@fleet/contracts';
import { infraSettings, testKafka, uniqueName, waitFor } from '@fleet/testkit';
import { Redis } from 'ioredis';
import type { Admin } from 'kafkajs';
import { pino } from 'pino';
import { afterAll, beforeAll } from 'vitest';
import { hashApiKey, newApiKey } from '../src/auth/api-key.ts';
import { loadConfig } from '../src/config.ts';
import type { Logger } from '../src/logger.ts';
import { type RunningIntake, startIntake } from '../src/start-intake.ts';
import { OwnRedis } from './own-redis.ts';
import { TopicTail } from './topic-tail.ts';

export const { kafkaBrokers, schemaRegistryUrl } = infraSettings();
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

// Fresh keys each run, issued the way an operator does: the intake only sees their hashes.
const keyA = newApiKey();
const keyB = newApiKey();
export const asA = { 'x-api-key': keyA };
export const asB = { 'x-api-key': keyB };
const apiKeys = `int-client-a ${hashApiKey(keyA)}; int-client-b ${hashApiKey(keyB)}`;

export interface Posted {
  status: number;
  headers: Headers;
  /** A success body, or the fleet's error body (`error` read only on error answers). */
  body: Record<string, unknown> & { error?: { code: string; message: string; details?: unknown } };
}

/**
 * Intakes as main.ts runs them (real producer, Redis, HTTP on a free port) for one test file: a tail
 * of the `orders` topic from its end, a unique Redis prefix (deleted afterwards), two clients' keys.
 */
export function intakeHarness() {
  const prefix = `${uniqueName('order-intake-test')}:`;
  const kafka = testKafka('order-intake-test');
  const started: RunningIntake[] = [];
  const ownRedis: OwnRedis[] = [];
  let admin: Admin | undefined;
  let tail: TopicTail | undefined;
  let redis: Redis | undefined;

  beforeAll(async () => {
    redis = new Redis(redisUrl);
    admin = kafka.admin();
    await admin.connect();
    await applyTopicPlan(admin, await planTopics(admin, [ordersTopic]));
    tail = await TopicTail.start(kafka, admin, ordersTopic.name);
  });

  afterAll(async () => {
    await Promise.allSettled(started.map((s) => s.stop()));
    await Promise.allSettled(ownRedis.map((r) => r.stop()));
    await tail?.stop();
    await admin?.disconnect();
    if (!redis) return;
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  return {
    prefix,
    get tail(): TopicTail {
      if (!tail) throw new Error('the harness has not started');
      return tail;
    },
    get redis(): Redis {
      if (!redis) throw new Error('the harness has not started');
      return redis;
    },

    async intake(env: Record<string, string> = {}, logger: Logger = pino({ level: 'silent' })) {
      const config = loadConfig({
        KAFKA_BROKERS: kafkaBrokers.join(','),
        SCHEMA_REGISTRY_URL: schemaRegistryUrl,
        REDIS_URL: redisUrl,
        INTAKE_REDIS_PREFIX: prefix,
        INTAKE_API_KEYS: apiKeys,
        HTTP_PORT: '0',
        LOG_LEVEL: 'silent',
        ...env,
      });
      const running = await startIntake(config, logger);
      started.push(running);
      return running;
    },

    /** A Redis server of the test's own, stopped after the file. */
    async ownRedis(): Promise<OwnRedis> {
      const own = await OwnRedis.start();
      ownRedis.push(own);
      return own;
    },

    /** POST as client A unless the headers say otherwise. */
    async post(
      base: string,
      path: string,
      body: unknown,
      headers: Record<string, string> = {},
    ): Promise<Posted> {
      const response = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...asA, ...headers },
        body: JSON.stringify(body),
      });
      return {
        status: response.status,
        headers: response.headers,
        body: (await response.json()) as Posted['body'],
      };
    },

    /** The records of the event, once at least `atLeast` arrived. */
    recordsOf(eventId: string, atLeast = 1) {
      return waitFor(
        `record with ce_id ${eventId}`,
        () => {
          const found = this.tail.withHeader('ce_id', eventId);
          return found.length >= atLeast ? found : undefined;
        },
        { timeoutMs: 20_000 },
      );
    },
  };
}
