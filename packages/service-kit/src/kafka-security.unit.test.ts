import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError } from './config-error.ts';
import {
  connectionEnv,
  connectionProblems,
  connectionSettings,
  kafkaClientOptions,
} from './connection-env.ts';
import { parseEnv } from './parse-env.ts';

const dir = mkdtempSync(join(tmpdir(), 'kafka-security-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const ca = file('ca.pem', '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n');
const cert = file('client.pem', '-----BEGIN CERTIFICATE-----\nMIIBclient\n-----END CERTIFICATE-----\n');
const key = file('client.key', '-----BEGIN PRIVATE KEY-----\nMIGHkey\n-----END PRIVATE KEY-----\n');
const passwordFile = file('password', 's3cret-from-file\n');
const notPem = file('notes.txt', 'not a certificate');

const base = {
  KAFKA_BROKERS: '127.0.0.1:19093',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081/apis/ccompat/v7',
};
const schema = z.object(connectionEnv);
const load = (env: Record<string, string>) =>
  connectionSettings(parseEnv(schema, { ...base, ...env }, { checks: connectionProblems }));
const problemsOf = (env: Record<string, string>): string[] => {
  try {
    load(env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('expected a ConfigError');
};

describe('Kafka security settings', () => {
  it('PLAINTEXT by default: no TLS, no SASL', () => {
    const { kafka } = load({});
    expect(kafka).toMatchObject({ protocol: 'PLAINTEXT', ssl: false, sasl: undefined });
    expect(kafkaClientOptions(kafka, 'svc')).toEqual({
      clientId: 'svc',
      brokers: ['127.0.0.1:19093'],
      ssl: false,
    });
  });

  it('SASL_SSL with SCRAM: the CA, the client certificate and the password come from files', () => {
    const { kafka } = load({
      KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512', // Kafka's own spelling is accepted
      KAFKA_SASL_USERNAME: 'fleet',
      KAFKA_SASL_PASSWORD_FILE: passwordFile,
      KAFKA_SSL_CA_FILE: ca,
      KAFKA_SSL_CERT_FILE: cert,
      KAFKA_SSL_KEY_FILE: key,
    });
    expect(kafka.protocol).toBe('SASL_SSL');
    expect(kafka.sasl).toEqual({
      mechanism: 'scram-sha-512',
      username: 'fleet',
      password: 's3cret-from-file',
    });
    expect(kafka.ssl).toEqual({
      rejectUnauthorized: true,
      ca: expect.stringContaining('MIIBfake'),
      cert: expect.stringContaining('MIIBclient'),
      key: expect.stringContaining('MIGHkey'),
    });
    expect(kafkaClientOptions(kafka, 'svc').sasl).toEqual(kafka.sasl);
  });

  it('PLAIN is accepted over TLS only', () => {
    const plain = { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' };
    expect(load({ ...plain, KAFKA_SECURITY_PROTOCOL: 'sasl_ssl' }).kafka.sasl?.mechanism).toBe('plain');
    expect(problemsOf({ ...plain, KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT' })).toEqual([
      expect.stringMatching(
        /^KAFKA_SASL_MECHANISM: plain sends the password .* use KAFKA_SECURITY_PROTOCOL=SASL_SSL/,
      ),
    ]);
    // SCRAM never sends the password itself: allowed without TLS.
    expect(
      load({ ...plain, KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT' })
        .kafka.ssl,
    ).toBe(false);
  });

  it('lists every missing or contradictory setting at once', () => {
    const problems = problemsOf({
      KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
      KAFKA_SASL_PASSWORD: 'p',
      KAFKA_SASL_PASSWORD_FILE: passwordFile,
      KAFKA_SSL_CA_FILE: join(dir, 'missing.pem'),
      KAFKA_SSL_CERT_FILE: notPem,
    });
    expect(problems).toEqual([
      'KAFKA_SASL_MECHANISM: required with SASL_SSL: scram-sha-512, scram-sha-256 or plain',
      'KAFKA_SASL_USERNAME: required with SASL_SSL',
      expect.stringMatching(/^KAFKA_SSL_CERT_FILE: a client certificate needs its key/),
      expect.stringMatching(/^KAFKA_SSL_CA_FILE: cannot read .*missing\.pem: ENOENT/),
      expect.stringMatching(/^KAFKA_SSL_CERT_FILE: .*notes\.txt holds no PEM certificate/),
      'KAFKA_SASL_PASSWORD: set KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE, not both',
    ]);
  });

  it('refuses settings that would be ignored, and the old KAFKA_SSL switch', () => {
    const problems = problemsOf({
      KAFKA_SSL: 'true',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'u',
      KAFKA_SSL_CA_FILE: ca,
    });
    expect(problems).toEqual([
      expect.stringMatching(/^KAFKA_SSL: no longer read: set KAFKA_SECURITY_PROTOCOL=SSL/),
      'KAFKA_SASL_MECHANISM: set, but KAFKA_SECURITY_PROTOCOL is PLAINTEXT, which does not authenticate: use SASL_SSL',
      'KAFKA_SASL_USERNAME: set, but KAFKA_SECURITY_PROTOCOL is PLAINTEXT, which does not authenticate: use SASL_SSL',
      'KAFKA_SSL_CA_FILE: set, but KAFKA_SECURITY_PROTOCOL is PLAINTEXT, which does not use TLS: use SSL or SASL_SSL',
    ]);
  });

  it('names a bad protocol or mechanism with the values allowed', () => {
    const problems = problemsOf({ KAFKA_SECURITY_PROTOCOL: 'TLS', KAFKA_SASL_MECHANISM: 'gssapi' });
    expect(problems).toContain('KAFKA_SECURITY_PROTOCOL: one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL');
    expect(problems).toContain('KAFKA_SASL_MECHANISM: one of scram-sha-512, scram-sha-256, plain');
  });

  it('SSL alone: TLS with the system CAs unless a CA file is given', () => {
    expect(load({ KAFKA_SECURITY_PROTOCOL: 'SSL' }).kafka).toMatchObject({
      ssl: { rejectUnauthorized: true },
      sasl: undefined,
    });
  });
});

describe('Schema Registry credentials', () => {
  it('basic auth from a password file', () => {
    const { registry } = load({
      SCHEMA_REGISTRY_USERNAME: 'reg',
      SCHEMA_REGISTRY_PASSWORD_FILE: passwordFile,
    });
    expect(registry.auth).toEqual({ username: 'reg', password: 's3cret-from-file' });
  });

  it('needs both halves, and https unless the registry is on this machine', () => {
    expect(problemsOf({ SCHEMA_REGISTRY_USERNAME: 'reg' })).toEqual([
      expect.stringMatching(/^SCHEMA_REGISTRY_USERNAME: set both/),
    ]);
    const remote = { SCHEMA_REGISTRY_USERNAME: 'reg', SCHEMA_REGISTRY_PASSWORD: 'p' };
    expect(problemsOf({ ...remote, SCHEMA_REGISTRY_URL: 'http://registry.internal:8081' })).toEqual([
      'SCHEMA_REGISTRY_URL: basic auth over http:// would send the password as it is to registry.internal: use https://',
    ]);
    expect(
      load({ ...remote, SCHEMA_REGISTRY_URL: 'https://registry.internal/apis/ccompat/v7' }).registry.auth,
    ).toEqual({ username: 'reg', password: 'p' });
  });
});
