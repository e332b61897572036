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
