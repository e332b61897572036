import { describe, expect, it } from 'vitest';
import { type DemoSummary, formatSummary, sumMetrics } from './demo-summary.ts';

describe('the demo summary', () => {
  it('sums the runtime counters over every label set, and skips comments and other metrics', () => {
    const text = [
      '# HELP fleet_consumer_lag Records behind the partition end, per partition',
      'fleet_consumer_lag{topic="orders",partition="0"} 3',
      'fleet_consumer_lag{topic="orders",partition="1"} 4',
      'fleet_events_dead_lettered_total{processor="payments",reason="EVENT_INVALID"} 2',
      'fleet_events_processed_total{processor="payments"} 120',
      'fleet_events_processed_totally 999',
      'process_resident_memory_bytes 1.2e8',
    ].join('\n');
    expect(sumMetrics(text)).toEqual({ lag: 7, deadLetters: 2, processed: 120 });
  });

  it('says orders by outcome, open ones, dead letters, lag and the rate since the last line', () => {
    const before: DemoSummary = { orders: {}, deadLetters: 0, lag: 0, processed: 100, silent: [] };
    const now: DemoSummary = {
      orders: { CONFIRMED: 98, CANCELLED: 12, REJECTED: 6, PAID: 3, PENDING: 1 },
      deadLetters: 1,
      lag: 3,
      processed: 510,
      silent: ['payments'],
    };
    expect(formatSummary(now, before, 10)).toBe(
      'orders 120 placed: 98 confirmed, 12 cancelled, 6 rejected, 4 open · dead letters 1 · lag 3 · 41 events/s · no metrics from payments',
    );
  });

  it('has no rate on its first line, and says when order-view is not there yet', () => {
    const now: DemoSummary = { orders: null, deadLetters: 0, lag: 0, processed: 0, silent: [] };
    expect(formatSummary(now, null, 10)).toBe(
      'orders: order-view has not started yet · dead letters 0 · lag 0',
    );
  });
});
