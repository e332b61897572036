import { describe, expect, it } from 'vitest';
import { needsAttentionIn } from './advance-saga.ts';

describe('which saga anomalies are warnings', () => {
  it('a payment after a cancellation is voided by the chart: info; after any other end it needs a person', () => {
    expect(needsAttentionIn('PAYMENT_AFTER_END', 'cancelled')).toBe(false);
    expect(needsAttentionIn('PAYMENT_AFTER_END', 'rejected')).toBe(true);
    expect(needsAttentionIn('PAYMENT_AFTER_END', 'declined')).toBe(true);
  });

  it('contradictions and unplaceable events warn in any state; expected ones never do', () => {
    for (const state of ['cancelled', 'confirmed', 'awaiting'])
      for (const kind of ['CONFLICTING_OUTCOME', 'UNHANDLED_IN_STATE'] as const)
        expect(needsAttentionIn(kind, state), `${kind} in ${state}`).toBe(true);
    for (const kind of [
      'EARLY_EVENT',
      'DUPLICATE_ORDER',
      'CANCEL_AFTER_END',
      'RESERVATION_AFTER_END',
    ] as const)
      expect(needsAttentionIn(kind, 'cancelled'), kind).toBe(false);
  });
});
