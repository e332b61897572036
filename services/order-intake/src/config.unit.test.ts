import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseDuration } from './config.ts';

const minimal = {
  KAFKA_BROKERS: '127.0.0.1:9092',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081/apis/ccompat/v7',
};

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig(minimal);
    expect(config.http).toEqual({ host: '127.0.0.1', port: 8101, bodyLimit: 65_536, trustProxy: false });
    expect(config.redisUrl).toBeUndefined();
    expect(config.rateLimit).toEqual({ max: 100, windowMs: 60_000, apiKeyHeader: 'x-api-key' });
    expect(config.idempotency).toEqual({ ttlMs: 86_400_000, inFlightTtlMs: 60_000, maxEntries: 10_000 });
    expect(config.kafka.brokers).toEqual(['127.0.0.1:9092']);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      ...minimal,
      KAFKA_BROKERS: 'a:1, b:2',
      REDIS_URL: 'redis://127.0.0.1:6379',
      HTTP_PORT: '0',
      INTAKE_RATE_LIMIT_MAX: '5',
      INTAKE_RATE_LIMIT_WINDOW: '30s',
      INTAKE_IDEMPOTENCY_TTL: '2h',
      INTAKE_TRUST_PROXY: 'true',
    });
    expect(config.kafka.brokers).toEqual(['a:1', 'b:2']);
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.http.port).toBe(0);
    expect(config.rateLimit.windowMs).toBe(30_000);
    expect(config.idempotency.ttlMs).toBe(7_200_000);
    expect(config.http.trustProxy).toBe(true);
  });

  it('lists every problem at once', () => {
    let error: unknown;
    try {
      loadConfig({
        KAFKA_BROKERS: 'nope',
        HTTP_PORT: '99999',
        REDIS_URL: 'http://x',
        INTAKE_RATE_LIMIT_WINDOW: 'soon',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/KAFKA_BROKERS.*host:port/);
    expect(problems).toMatch(/SCHEMA_REGISTRY_URL: is required but not set/);
    expect(problems).toMatch(/HTTP_PORT/);
    expect(problems).toMatch(/REDIS_URL: must be a redis/);
    expect(problems).toMatch(/INTAKE_RATE_LIMIT_WINDOW: "soon" is not a duration/);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ ...minimal, REDIS_URL: '', HTTP_PORT: '' }).redisUrl).toBeUndefined();
  });
});

describe('parseDuration', () => {
  it('reads units and bare milliseconds', () => {
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('1500')).toBe(1500);
    expect(parseDuration('1m')).toBe(60_000);
    expect(parseDuration('24h')).toBe(86_400_000);
    expect(parseDuration('1 week')).toBeUndefined();
  });
});
