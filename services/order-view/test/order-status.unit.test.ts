import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../src/http/list-cursor.ts';
import { deriveStatus, type StatusFacts } from '../src/order-status.ts';

const none: StatusFacts = {
  placed: false,
  reserved: false,
  stockRejected: false,
  authorized: false,
  declined: false,
  cancelled: false,
  confirmed: false,
  rejected: false,
  rejectionReason: null,
};
const facts = (...seen: (keyof Omit<StatusFacts, 'rejectionReason'>)[]): StatusFacts => ({
  ...none,
  ...Object.fromEntries(seen.map((s) => [s, true])),
});
const status = (f: StatusFacts) => deriveStatus(f).status;

describe('order status by precedence', () => {
  it('walks the regular path', () => {
    expect(status(facts('placed'))).toBe('PLACED');
    expect(status(facts('placed', 'reserved'))).toBe('RESERVED');
    expect(status(facts('placed', 'reserved', 'authorized'))).toBe('PAID');
    expect(status(facts('placed', 'reserved', 'authorized', 'confirmed'))).toBe('CONFIRMED');
  });

  it('facts without the order are pending (not served)', () => {
    expect(status(facts('authorized'))).toBe('PENDING');
    expect(status(facts('reserved', 'authorized'))).toBe('PENDING');
    expect(status(facts('cancelled'))).toBe('PENDING');
  });

  it('a payment seen before the reservation is PAID, whatever arrived last', () => {
    expect(status(facts('authorized', 'placed'))).toBe('PAID');
  });

  it('a cancellation beats a confirmation, whichever arrived first (the saga compensates)', () => {
    expect(status(facts('placed', 'reserved', 'authorized', 'confirmed', 'cancelled'))).toBe('CANCELLED');
    expect(deriveStatus(facts('cancelled', 'confirmed', 'authorized', 'reserved', 'placed'))).toEqual({
      status: 'CANCELLED',
      rejectionReason: null,
    });
  });

  it('confirmation beats everything but a cancellation', () => {
    expect(status(facts('placed', 'reserved', 'authorized', 'confirmed'))).toBe('CONFIRMED');
    expect(status(facts('placed', 'stockRejected', 'authorized', 'confirmed'))).toBe('CONFIRMED');
    expect(
      deriveStatus({
        ...facts('placed', 'reserved', 'declined', 'rejected'),
        rejectionReason: 'PAYMENT_DECLINED',
      }),
    ).toEqual({
      status: 'REJECTED',
      rejectionReason: 'PAYMENT_DECLINED',
    });
  });

  it('a cancellation beats a rejection, whichever the saga saw first', () => {
    expect(status(facts('placed', 'stockRejected', 'rejected', 'cancelled'))).toBe('CANCELLED');
    expect(status(facts('placed', 'reserved', 'declined', 'rejected', 'cancelled'))).toBe('CANCELLED');
  });

  it('a cancellation beats failed steps and progress without a verdict', () => {
    expect(status(facts('placed', 'reserved', 'cancelled'))).toBe('CANCELLED');
    expect(status(facts('placed', 'reserved', 'authorized', 'cancelled'))).toBe('CANCELLED');
    expect(status(facts('placed', 'cancelled', 'stockRejected'))).toBe('CANCELLED');
  });

  it('a failed step is REJECTED with its reason before the saga says so', () => {
    expect(deriveStatus(facts('placed', 'stockRejected'))).toEqual({
      status: 'REJECTED',
      rejectionReason: 'OUT_OF_STOCK',
    });
    expect(deriveStatus(facts('placed', 'reserved', 'declined'))).toEqual({
      status: 'REJECTED',
      rejectionReason: 'PAYMENT_DECLINED',
    });
    expect(status(facts('placed', 'authorized', 'stockRejected'))).toBe('REJECTED');
  });

  it('is independent of the order in which facts arrived (same set, same status)', () => {
    const all = ['placed', 'reserved', 'authorized', 'confirmed'] as const;
    const permutations = (xs: readonly string[]): string[][] =>
      xs.length <= 1
        ? [[...xs]]
        : xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
    for (const order of permutations(all)) {
      let f = none;
      for (const fact of order) f = { ...f, [fact]: true };
      expect(status(f)).toBe('CONFIRMED');
    }
    for (const order of permutations([...all, 'cancelled'])) {
      let f = none;
      for (const fact of order) f = { ...f, [fact]: true };
      expect(status(f)).toBe('CANCELLED');
    }
  });
});

describe('list cursor', () => {
  it('round-trips and rejects what it did not produce', () => {
    const c = { placedAt: '2026-03-14T09:26:53.000Z', orderId: '3f2c9a4e-8b1d-4c6f-9e2a-7d5b1c0e4f21' };
    expect(decodeCursor(encodeCursor(c))).toEqual(c);
    expect(decodeCursor('nope')).toBeUndefined();
    expect(decodeCursor(Buffer.from('["x","y"]').toString('base64url'))).toBeUndefined();
  });
});
