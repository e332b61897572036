import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@fleet/service-kit';
import { describe, expect, it } from 'vitest';
import { defineProcessor } from './define-processor.ts';
import { loadRuntimeConfig } from './runtime-config.ts';

const valid = {
  KAFKA_BROKERS: '127.0.0.1:9092, 127.0.0.1:9094',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081/apis/ccompat/v7',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
};

describe('loadRuntimeConfig', () => {
  it('applies defaults and splits the broker list', () => {
    const config = loadRuntimeConfig(valid);
    expect(config.kafka.brokers).toEqual(['127.0.0.1:9092', '127.0.0.1:9094']);
    expect(config.processing.batchSize).toBe(500);
    expect(config.kafka.ssl).toBe(false);
  });

  it('lists every missing or bad variable in one error', () => {
    let error: unknown;
    try {
      loadRuntimeConfig({
        SCHEMA_REGISTRY_URL: 'not a url',
        PROCESSOR_BATCH_SIZE: '0',
        KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
        KAFKA_SASL_MECHANISM: 'plain',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of [
      'KAFKA_BROKERS',
      'SCHEMA_REGISTRY_URL',
      'DATABASE_URL',
      'PROCESSOR_BATCH_SIZE',
      'KAFKA_SASL_USERNAME',
    ])
      expect(problems).toContain(name);
  });

  it('treats empty variables as unset', () => {
    const config = loadRuntimeConfig({
      ...valid,
      HTTP_PORT: '',
      KAFKA_SASL_MECHANISM: '',
      PROCESSOR_BATCH_SIZE: '',
    });
    expect(config.http.port).toBeUndefined();
    expect(config.kafka.sasl).toBeUndefined();
    expect(config.processing.batchSize).toBe(500);
  });

  it('builds SASL settings only when complete', () => {
    const config = loadRuntimeConfig({
      ...valid,
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'svc',
      KAFKA_SASL_PASSWORD: 'secret',
      KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
    });
    expect(config.kafka.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'svc', password: 'secret' });
    expect(config.kafka.ssl).toEqual({ rejectUnauthorized: true });
  });
});

describe('schema names', () => {
  it('refuses a schema whose rebuild schemas PostgreSQL would cut to the same 63 bytes', () => {
    const long = 'a'.repeat(51);
    expect(() => loadRuntimeConfig({ ...valid, PROCESSOR_DB_SCHEMA: long })).toThrow(
      /PROCESSOR_DB_SCHEMA: at most 50/,
    );
    expect(
      loadRuntimeConfig({ ...valid, PROCESSOR_DB_SCHEMA: 'a'.repeat(50) }).processing.dbSchema,
    ).toHaveLength(50);
    // A processor name is a schema name too.
    expect(() => defineProcessor<unknown>()({ name: long, routes: () => [], migrations: {} })).toThrow(
      /at most 50/,
    );
    expect(`${'a'.repeat(50)}__rolled_back`).toHaveLength(63);
  });
});

describe('memory budget', () => {
  it('derives the fetch sizes from one setting; explicit fetch sizes still win; too small is refused', () => {
    const defaults = loadRuntimeConfig(valid).processing.fetch;
    expect(defaults).toMatchObject({ maxBytes: 10 * 1024 * 1024, maxBytesPerPartition: 1024 * 1024 });
    const budgeted = loadRuntimeConfig({ ...valid, PROCESSOR_MEMORY_BUDGET_MB: '150' }).processing.fetch;
    expect(budgeted.maxBytes).toBeLessThan(defaults.maxBytes);
    expect(budgeted.maxBytesPerPartition).toBeLessThanOrEqual(defaults.maxBytesPerPartition);
    expect(
      loadRuntimeConfig({ ...valid, PROCESSOR_MEMORY_BUDGET_MB: '150', PROCESSOR_FETCH_MAX_BYTES: '4096' })
        .processing.fetch.maxBytes,
    ).toBe(4096);
    expect(() => loadRuntimeConfig({ ...valid, PROCESSOR_MEMORY_BUDGET_MB: '64' })).toThrow(
      /PROCESSOR_MEMORY_BUDGET_MB/,
    );
  });
});

describe('listeners and pools', () => {
  it('puts the internal listener 1000 above the public port unless INTERNAL_HTTP_PORT says where', () => {
    expect(loadRuntimeConfig({ ...valid, HTTP_PORT: '8102' }).http).toEqual({
      host: '127.0.0.1',
      port: 8102,
      internal: { host: '127.0.0.1', port: 9102 },
    });
    expect(loadRuntimeConfig({ ...valid, HTTP_PORT: '0' }).http.internal.port).toBe(0);
    expect(loadRuntimeConfig(valid).http.internal.port).toBeUndefined();
    const own = loadRuntimeConfig({
      ...valid,
      HTTP_PORT: '8102',
      INTERNAL_HTTP_PORT: '9999',
      INTERNAL_HTTP_HOST: '0.0.0.0',
    });
    expect(own.http.internal).toEqual({ host: '0.0.0.0', port: 9999 });
    expect(() => loadRuntimeConfig({ ...valid, HTTP_PORT: '65000' })).toThrow(
      /INTERNAL_HTTP_PORT: HTTP_PORT 65000/,
    );
    expect(() => loadRuntimeConfig({ ...valid, HTTP_PORT: '8102', INTERNAL_HTTP_PORT: '8102' })).toThrow(
      /a port of its own/,
    );
  });

  it('gives the query routes a pool of their own', () => {
    expect(loadRuntimeConfig(valid).database.query).toEqual({ poolMax: 5, statementTimeoutMs: 30_000 });
    expect(
      loadRuntimeConfig({
        ...valid,
        DATABASE_QUERY_POOL_MAX: '2',
        DATABASE_QUERY_STATEMENT_TIMEOUT_MS: '500',
      }).database.query,
    ).toEqual({ poolMax: 2, statementTimeoutMs: 500 });
  });
});

describe('admin tokens', () => {
  const read = 'r'.repeat(16);
  const write = 'w'.repeat(16);

  it('reads read and write tokens, bare or named, and keeps FLEET_ADMIN_TOKEN as a write token taken whole', () => {
    const tokens = loadRuntimeConfig({
      ...valid,
      FLEET_ADMIN_READ_TOKEN: `grafana=${read}, ci=${'c'.repeat(16)}`,
      FLEET_ADMIN_WRITE_TOKEN: write,
      FLEET_ADMIN_TOKEN: `legacy=,${'l'.repeat(16)}`,
    }).adminTokens;
    expect(tokens).toEqual([
      { role: 'read', token: read, name: 'grafana' },
      { role: 'read', token: 'c'.repeat(16), name: 'ci' },
      { role: 'write', token: write, name: undefined },
      { role: 'write', token: `legacy=,${'l'.repeat(16)}`, name: undefined },
    ]);
    expect(loadRuntimeConfig(valid).adminTokens).toEqual([]);
  });

  it('reads a token from a file, and refuses short, shared or unnamed-in-a-list tokens without showing them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'admin-tokens-'));
    writeFileSync(join(dir, 'write'), `alice=${write}\n`);
    expect(
      loadRuntimeConfig({ ...valid, FLEET_ADMIN_WRITE_TOKEN_FILE: join(dir, 'write') }).adminTokens,
    ).toEqual([{ role: 'write', token: write, name: 'alice' }]);
    let error: unknown;
    try {
      loadRuntimeConfig({
        ...valid,
        FLEET_ADMIN_READ_TOKEN: `a=tok-x9,${read}`,
        FLEET_ADMIN_WRITE_TOKEN: `bob=${read}`,
        FLEET_ADMIN_TOKEN: 'tok-q3',
      });
    } catch (e) {
      error = e;
    }
    const problems = (error as ConfigError).problems;
    expect(problems).toEqual([
      'FLEET_ADMIN_READ_TOKEN: the token of a is shorter than 16 characters',
      'FLEET_ADMIN_READ_TOKEN: with several tokens, give each as name=token',
      'FLEET_ADMIN_TOKEN: at least 16 characters',
      'FLEET_ADMIN_READ_TOKEN and a write token share a token: a read token must differ from every write token',
    ]);
    expect(problems.join(' ')).not.toMatch(/tok-x9|tok-q3|rrrr/);
  });
});
