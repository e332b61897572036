import { describe, expect, it } from 'vitest';
import { isTransientError } from './transient-error.ts';

const withCode = (code: string) => Object.assign(new Error('x'), { code });

describe('isTransientError', () => {
  it('retries serialization failures, deadlocks, terminated backends and lost connections', () => {
    for (const code of ['40001', '40P01', '57P01', '08006', 'ECONNRESET'])
      expect(isTransientError(withCode(code))).toBe(true);
    expect(isTransientError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isTransientError(new Error('wrapped', { cause: withCode('40P01') }))).toBe(true);
  });

  it('treats constraint violations, bugs and non-errors as permanent', () => {
    expect(isTransientError(withCode('23505'))).toBe(false);
    expect(isTransientError(new TypeError('x is undefined'))).toBe(false);
    expect(isTransientError('boom')).toBe(false);
  });
});
