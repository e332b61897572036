import { ConfigError } from '@fleet/service-kit';
import { describe, expect, it } from 'vitest';
import { loadConsoleConfig, parseTokens } from './config.ts';

const long = 'x'.repeat(20);

describe('console settings', () => {
  it('reads a bare token as shared and name=token pairs as personal ones', () => {
    expect(parseTokens(long, 'write', 'V')).toEqual([{ role: 'write', token: long, name: undefined }]);
    expect(parseTokens(`alice=${long}a, bob=${long}b`, 'write', 'V')).toEqual([
      { role: 'write', token: `${long}a`, name: 'alice' },
      { role: 'write', token: `${long}b`, name: 'bob' },
    ]);
    // base64 padding is part of a bare token, not a name
    expect(parseTokens(`${long}==`, 'read', 'V')[0]).toMatchObject({ name: undefined, token: `${long}==` });
  });

  it('refuses short tokens, unnamed tokens in a list and a token given for both roles, naming each', () => {
    expect(() => parseTokens('short', 'read', 'FLEET_CONSOLE_READ_TOKEN')).toThrow(
      /FLEET_CONSOLE_READ_TOKEN: a token is shorter than 16 characters/,
    );
    expect(() => parseTokens(`${long},alice=${long}`, 'read', 'V')).toThrow(/give each as name=token/);
    expect(() =>
      loadConsoleConfig({ FLEET_CONSOLE_READ_TOKEN: long, FLEET_CONSOLE_WRITE_TOKEN: long }),
    ).toThrow(/the same token is given twice/);
  });

  it('defaults to the native launcher and generates tokens for the run when none is set', () => {
    const c = loadConsoleConfig({});
    expect(c).toMatchObject({
      host: '127.0.0.1',
      port: 8100,
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/postgres',
      kafka: { brokers: ['127.0.0.1:9092'] },
      adminToken: undefined,
      generatedTokens: true,
      pollMs: 2_000,
    });
    expect(c.tokens.map((t) => t.role).sort()).toEqual(['read', 'write']);
    expect(new Set(c.tokens.map((t) => t.token)).size).toBe(2);
    expect(loadConsoleConfig({ FLEET_CONSOLE_WRITE_TOKEN: long }).generatedTokens).toBe(false);
  });

  it('reports every bad variable at once', () => {
    try {
      loadConsoleConfig({
        FLEET_CONSOLE_PORT: 'eighty',
        DATABASE_URL: 'mysql://x',
        FLEET_CONSOLE_POLL_MS: '5',
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as Error).message;
      for (const name of ['FLEET_CONSOLE_PORT', 'DATABASE_URL', 'FLEET_CONSOLE_POLL_MS'])
        expect(message).toContain(name);
    }
  });
});
