import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashApiKey } from './auth/api-key.ts';
import { ConfigError, loadConfig, parseDuration } from './config.ts';

const hashA = hashApiKey('key-a');
const hashB = hashApiKey('key-b');
const minimal = {
  KAFKA_BROKERS: '127.0.0.1:9092',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081/apis/ccompat/v7',
  INTAKE_API_KEYS: `shop-a ${hashA}`,
};

const problemsOf = (env: Record<string, string>): string => {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.join('\n');
  }
  throw new Error('expected a ConfigError');
};

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig(minimal);
    expect(config.http).toEqual({ host: '127.0.0.1', port: 8101, bodyLimit: 65_536, trustProxy: [] });
    expect(config.redisUrl).toBeUndefined();
    expect(config.rateLimit).toEqual({
      client: { max: 100, windowMs: 60_000 },
      ip: { max: 50, windowMs: 1000 },
    });
    expect(config.apiKeys).toEqual({ header: 'x-api-key', entries: [{ clientId: 'shop-a', hash: hashA }] });
    expect(config.orderOwners).toEqual({ ttlMs: 30 * 86_400_000, maxEntries: 100_000 });
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
      INTAKE_IP_RATE_LIMIT_MAX: '20',
      INTAKE_IP_RATE_LIMIT_WINDOW: '2s',
      INTAKE_IDEMPOTENCY_TTL: '2h',
      INTAKE_TRUST_PROXY: '10.0.0.0/8, 127.0.0.1,::1/128,loopback',
      INTAKE_ORDER_OWNER_TTL: '90d',
    });
    expect(config.kafka.brokers).toEqual(['a:1', 'b:2']);
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.http.port).toBe(0);
    expect(config.rateLimit).toEqual({
      client: { max: 5, windowMs: 30_000 },
      ip: { max: 20, windowMs: 2000 },
    });
    expect(config.idempotency.ttlMs).toBe(7_200_000);
    expect(config.http.trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1', '::1/128', 'loopback']);
    expect(config.orderOwners.ttlMs).toBe(90 * 86_400_000);
  });

  it('lists every problem at once', () => {
    const problems = problemsOf({
      KAFKA_BROKERS: 'nope',
      HTTP_PORT: '99999',
      REDIS_URL: 'http://x',
      INTAKE_RATE_LIMIT_WINDOW: 'soon',
      INTAKE_API_KEYS: 'shop-a sha256:123',
    });
    expect(problems).toMatch(/KAFKA_BROKERS.*host:port/);
    expect(problems).toMatch(/SCHEMA_REGISTRY_URL: is required but not set/);
    expect(problems).toMatch(/HTTP_PORT/);
    expect(problems).toMatch(/REDIS_URL: must be a redis/);
    expect(problems).toMatch(/INTAKE_RATE_LIMIT_WINDOW: "soon" is not a duration/);
    expect(problems).toMatch(/INTAKE_API_KEYS: INTAKE_API_KEYS entry 1: the second field must be sha256:/);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ ...minimal, REDIS_URL: '', HTTP_PORT: '' }).redisUrl).toBeUndefined();
    expect(loadConfig({ ...minimal, INTAKE_TRUST_PROXY: '' }).http.trustProxy).toEqual([]);
  });
});

describe('INTAKE_TRUST_PROXY', () => {
  it('"false" trusts no proxy', () => {
    expect(loadConfig({ ...minimal, INTAKE_TRUST_PROXY: 'false' }).http.trustProxy).toEqual([]);
  });

  it('refuses "true" (every hop), hop counts and anything that is not an address or CIDR', () => {
    expect(problemsOf({ ...minimal, INTAKE_TRUST_PROXY: 'true' })).toMatch(
      /INTAKE_TRUST_PROXY: "true" would trust every hop.*list the addresses or CIDRs/,
    );
    for (const bad of ['1', '10.0.0.0/33', 'proxy.internal', '10.0.0.1,', '::1/129', '10.0.0.0/8/1'])
      expect(problemsOf({ ...minimal, INTAKE_TRUST_PROXY: bad }), bad).toMatch(
        /INTAKE_TRUST_PROXY: .* is not an IP address, a CIDR/,
      );
  });
});

describe('API keys', () => {
  it('start-up needs at least one key, and says how to mint one', () => {
    const { INTAKE_API_KEYS: _, ...none } = minimal;
    expect(problemsOf(none)).toMatch(/INTAKE_API_KEYS: no API key is configured.*mint-api-key/);
  });

  it('reads INTAKE_API_KEYS_FILE (comments, blank lines, limits) together with INTAKE_API_KEYS', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'intake-keys-')), 'keys');
    writeFileSync(file, `# client  hash  limit\n\nshop-b ${hashB} 600/1m  # the big one\n`);
    const config = loadConfig({ ...minimal, INTAKE_API_KEYS_FILE: file });
    expect(config.apiKeys.entries).toEqual([
      { clientId: 'shop-b', hash: hashB, limit: { max: 600, windowMs: 60_000 } },
      { clientId: 'shop-a', hash: hashA },
    ]);
  });

  it('names an unreadable file, bad entries by position (never echoing a hash), and conflicts', () => {
    expect(problemsOf({ ...minimal, INTAKE_API_KEYS_FILE: '/nonexistent/keys' })).toMatch(
      /INTAKE_API_KEYS_FILE: cannot read \/nonexistent\/keys: ENOENT/,
    );
    const bad = problemsOf({
      ...minimal,
      INTAKE_API_KEYS: `shop-a ${hashA}; bad/id ${hashB}; shop-c oik_plaintext-key; shop-d ${hashB} 10/1500ms; shop-e ${hashB} x`,
    });
    expect(bad).toMatch(/INTAKE_API_KEYS entry 2: the client ID \(first field\)/);
    expect(bad).toMatch(/INTAKE_API_KEYS entry 3: the second field must be sha256:.*never the key itself/);
    expect(bad).not.toMatch(/oik_plaintext-key/);
    expect(bad).toMatch(/entry 4: limit "10\/1500ms": the window must be whole seconds/);
    expect(bad).toMatch(/entry 5: limit "x" is not <requests>\/<window>/);
    const conflicts = problemsOf({
      ...minimal,
      INTAKE_API_KEYS: `shop-a ${hashA}; shop-b ${hashA}; shop-c ${hashB} 5/1s; shop-c ${hashApiKey('c2')}`,
    });
    expect(conflicts).toMatch(/one key hash is listed for two clients, "shop-a" and "shop-b"/);
    expect(conflicts).toMatch(/client "shop-c" has keys with different limits/);
  });
});

describe('rate-limit windows', () => {
  it('are whole seconds', () => {
    expect(problemsOf({ ...minimal, INTAKE_IP_RATE_LIMIT_WINDOW: '1500ms' })).toMatch(
      /INTAKE_IP_RATE_LIMIT_WINDOW: must be whole seconds/,
    );
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
