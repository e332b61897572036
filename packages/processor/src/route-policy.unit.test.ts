import { describe, expect, it } from 'vitest';
import { afterFailure, backoffMs } from './route-policy.ts';

describe('route policy', () => {
  it('backs off doubling from initialMs, never past maxMs (default 100 ms to 2 s)', () => {
    expect([1, 2, 3, 4, 5, 6, 50].map((a) => backoffMs({}, a))).toEqual([
      100, 200, 400, 800, 1600, 2000, 2000,
    ]);
    const backoff = { initialMs: 30, maxMs: 60 };
    expect([1, 2, 3].map((a) => backoffMs({ backoff }, a))).toEqual([30, 60, 60]);
  });

  it('retries within maxAttempts; then, or at once on a PermanentError, dead-letters, or holds when the route says stop', () => {
    expect(afterFailure({}, 'unknown', 2, 3)).toBe('retry');
    expect(afterFailure({}, 'unknown', 3, 3)).toBe('dead-letter');
    expect(afterFailure({ maxAttempts: 5 }, 'unknown', 3, 3)).toBe('retry');
    expect(afterFailure({ maxAttempts: 5 }, 'permanent', 1, 3)).toBe('dead-letter');
    expect(afterFailure({ onExhausted: 'stop' }, 'unknown', 3, 3)).toBe('hold');
    expect(afterFailure({ onExhausted: 'stop' }, 'permanent', 1, 3)).toBe('hold');
    expect(afterFailure({ onExhausted: 'stop' }, 'unknown', 1, 3)).toBe('retry');
  });
});
