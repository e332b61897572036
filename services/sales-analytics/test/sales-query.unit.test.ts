import { describe, expect, it } from 'vitest';
import { utcDay } from '../src/handlers/sales-handlers.ts';
import { salesQuery } from '../src/http/sales-routes.ts';

describe('sales analytics rules', () => {
  it('counts a sale on the UTC day of placedAt', () => {
    expect(utcDay('2026-03-14T23:59:59.999Z')).toBe('2026-03-14');
    expect(utcDay('2026-03-15T00:00:00.000Z')).toBe('2026-03-15');
  });

  it('validates the query precisely', () => {
    expect(salesQuery.safeParse({ from: '2026-03-01', to: '2026-03-31', sku: 'A' }).success).toBe(true);
    const messages = (q: unknown) => {
      const r = salesQuery.safeParse(q);
      return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    expect(messages({ from: '2026-03-01' })).toEqual(['to: is required']);
    expect(messages({ from: '2026-13-01', to: '2026-03-01' })).toEqual(['from: must be a date YYYY-MM-DD']);
    expect(messages({ from: '2026-03-02', to: '2026-03-01' })).toEqual(['to: must not be before from']);
    expect(messages({ from: '2024-01-01', to: '2026-03-01' })).toEqual([
      'to: the range may span at most 366 days',
    ]);
    expect(messages({ from: '2026-03-01', to: '2026-03-01', region: 'eu' })[0]).toMatch(/Unrecognized key/);
  });
});
