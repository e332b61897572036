import { logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { levelOf } from './kafka-client.ts';

const entry = (level: logLevel, error?: string) => ({
  level,
  log: { message: 'Response JoinGroup(key: 11, version: 5)', timestamp: '', ...(error ? { error } : {}) },
});

describe('kafkajs log levels', () => {
  it('logs a broker error kafkajs retries at info, anything else as kafkajs says', () => {
    const loading = "The coordinator is loading and hence can't process requests for this group";
    expect(levelOf(entry(logLevel.ERROR, loading))).toBe('info');
    expect(
      levelOf(
        entry(
          logLevel.ERROR,
          'The request included a message larger than the max message size the server will accept',
        ),
      ),
    ).toBe('error');
    expect(levelOf(entry(logLevel.ERROR))).toBe('error');
    expect(levelOf(entry(logLevel.WARN, loading))).toBe('warn');
  });
});
