import { OrderCancelled, OrderPlaced } from '@fleet/contracts';
import { createProducer } from '@fleet/producer';
import { Redis } from 'ioredis';
import { type KafkaConfig, logLevel as kafkaLogLevel, type LogEntry } from 'kafkajs';
import { buildApp } from './app.ts';
import { ApiKeyRegistry } from './auth/api-key-registry.ts';
import type { IntakeConfig } from './config.ts';
import type { IdempotencyStore } from './idempotency/idempotency-store.ts';
import { MemoryIdempotencyStore } from './idempotency/memory-idempotency-store.ts';
import { RedisIdempotencyStore } from './idempotency/redis-idempotency-store.ts';
import { IntakeMetrics } from './intake-metrics.ts';
import type { Logger } from './logger.ts';
import { MemoryOrderOwners, type OrderOwners } from './orders/order-owners.ts';
import { RedisOrderOwners } from './orders/redis-order-owners.ts';
import type { IntakeApp } from './routes/route-context.ts';

export interface RunningIntake {
  app: IntakeApp;
  /** `http://host:port` the server listens on (the real port when HTTP_PORT is 0). */
  url: string;
  /** Stops accepting, lets in-flight requests finish, then disconnects Kafka and Redis. */
  stop(): Promise<void>;
}

const kafkaLevels: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [kafkaLogLevel.ERROR]: 'error',
  [kafkaLogLevel.WARN]: 'warn',
  [kafkaLogLevel.INFO]: 'info',
  [kafkaLogLevel.DEBUG]: 'debug',
};

/** Connects Kafka (registering the two event schemas), Redis when configured, and listens. */
export async function startIntake(config: IntakeConfig, logger: Logger): Promise<RunningIntake> {
  const kafka: Omit<KafkaConfig, 'brokers' | 'clientId'> = {
    ssl: config.kafka.ssl,
    logLevel: kafkaLogLevel.WARN,
    logCreator:
      () =>
      ({ level, label, log }: LogEntry) => {
        const { message, ...rest } = log;
        logger[kafkaLevels[level] ?? 'info']({ kafka: { label, ...rest } }, message);
      },
  };
  if (config.kafka.sasl) kafka.sasl = config.kafka.sasl as KafkaConfig['sasl'];
  const producer = createProducer({
    brokers: config.kafka.brokers,
    registryUrl: config.registry.url,
    ...(config.registry.auth ? { registryAuth: config.registry.auth } : {}),
    source: config.source,
    events: [OrderPlaced, OrderCancelled],
    clientId: config.kafka.clientId,
    kafka,
  });
  const redis = config.redisUrl
    ? new Redis(config.redisUrl, {
        lazyConnect: true,
        // Fail a command fast when Redis is away instead of queueing it behind reconnects.
        maxRetriesPerRequest: 1,
        enableOfflineQueue: false,
        connectTimeout: 5_000,
        // A Redis that accepts but never answers must not hold requests: rate limits then decide
        // locally, the idempotency and ownership stores answer 503.
        commandTimeout: 2_000,
      })
    : undefined;
  redis?.on('error', (error) => logger.warn({ err: error }, 'redis error'));

  let producerConnected = false;
  let draining = false;
  const cleanup = async () => {
    producerConnected = false;
    await Promise.allSettled([producer.disconnect(), redis?.quit()]);
  };
  try {
    await Promise.all([producer.connect(), redis?.connect()]);
    producerConnected = true;
    const idempotencyStore: IdempotencyStore = redis
      ? new RedisIdempotencyStore(redis, { ...config.idempotency, prefix: config.redisPrefix })
      : new MemoryIdempotencyStore(config.idempotency);
    const orderOwners: OrderOwners = redis
      ? new RedisOrderOwners(redis, { prefix: config.redisPrefix, ttlMs: config.orderOwners.ttlMs })
      : new MemoryOrderOwners(config.orderOwners);
    const apiKeys = new ApiKeyRegistry(config.apiKeys.entries, config.rateLimit.client);
    const registryAuth = config.registry.auth;
    const app = await buildApp({
      logger,
      publisher: producer,
      idempotencyStore,
      apiKeys,
      orderOwners,
      metrics: new IntakeMetrics({ processMetrics: true }),
      ...(redis ? { redis } : {}),
      redisPrefix: config.redisPrefix,
      bodyLimit: config.http.bodyLimit,
      trustProxy: config.http.trustProxy,
      ipRateLimit: config.rateLimit.ip,
      apiKeyHeader: config.apiKeys.header,
      readinessChecks: {
        shutdown: async () => {
          if (draining) throw new Error('shutting down');
        },
        kafka: async () => {
          if (!producerConnected) throw new Error('producer not connected');
        },
        registry: async () => {
          const response = await fetch(`${config.registry.url.replace(/\/$/, '')}/subjects`, {
            signal: AbortSignal.timeout(2_000),
            ...(registryAuth
              ? {
                  headers: {
                    authorization: `Basic ${Buffer.from(`${registryAuth.username}:${registryAuth.password}`).toString('base64')}`,
                  },
                }
              : {}),
          });
          await response.body?.cancel();
          if (!response.ok) throw new Error(`registry answered HTTP ${response.status}`);
        },
        ...(redis ? { redis: () => idempotencyStore.ping() } : {}),
      },
    });
    const url = await app.listen({ host: config.http.host, port: config.http.port });
    logger.info(
      { url, redis: Boolean(redis), apiKeys: apiKeys.size, trustedProxies: config.http.trustProxy },
      'order-intake listening',
    );
    let stopping: Promise<void> | undefined;
    return {
      app,
      url,
      stop() {
        stopping ??= (async () => {
          draining = true;
          // close() stops accepting, answers 503 to new requests on kept-alive sockets and waits for
          // the in-flight ones, whose events are published before the producer goes.
          await app.close();
          await cleanup();
          logger.info('order-intake stopped');
        })();
        return stopping;
      },
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
