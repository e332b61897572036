import { describe, expect, it } from 'vitest';
import { mergeLines, reservationIdOf } from './order-lines.ts';

describe('mergeLines', () => {
  it('sums the quantities of a SKU listed twice and sorts by SKU (the lock order)', () => {
    expect(
      mergeLines([
        { sku: 'SKU-010', quantity: 1 },
        { sku: 'SKU-002', quantity: 2 },
        { sku: 'SKU-010', quantity: 3 },
      ]),
    ).toEqual([
      { sku: 'SKU-002', quantity: 2 },
      { sku: 'SKU-010', quantity: 4 },
    ]);
  });

  it('derives the reservation ID from the order ID', () => {
    expect(reservationIdOf('3f2c9a4e-8b1d-4c6f-9e2a-7d5b1c0e4f21')).toBe(
      'res-3f2c9a4e-8b1d-4c6f-9e2a-7d5b1c0e4f21',
    );
  });
});
