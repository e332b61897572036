import { describe, expect, it } from 'vitest';
import { deterministicId } from './deterministic-id.ts';

describe('deterministicId', () => {
  it('is a stable RFC 9562 version-5 UUID of its parts', () => {
    const id = deterministicId('evt-1', 'inventory', 0);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(deterministicId('evt-1', 'inventory', 0)).toBe(id);
  });

  it('differs when any part differs, including how parts are split', () => {
    const ids = new Set([
      deterministicId('evt-1', 'inventory', 0),
      deterministicId('evt-1', 'inventory', 1),
      deterministicId('evt-2', 'inventory', 0),
      deterministicId('evt-1', 'payments', 0),
      deterministicId('evt-1inventory', 0),
    ]);
    expect(ids.size).toBe(5);
  });
});
