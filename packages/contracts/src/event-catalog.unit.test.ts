import { describe, expect, it } from 'vitest';
import { EventCatalog } from './event-catalog.ts';
import { OrderPlaced, orderCatalog, orderEvents, StockReserved } from './orders/index.ts';

describe('EventCatalog', () => {
  it('finds event types by CloudEvents type and by topic', () => {
    expect(orderCatalog.byType('fleet.orders.OrderPlaced.v2')).toBe(OrderPlaced);
    expect(orderCatalog.byType('fleet.orders.Nope.v1')).toBeUndefined();
    expect(orderCatalog.topics().map((t) => t.name)).toEqual(['orders', 'inventory', 'payments']);
    expect(orderCatalog.eventsOf('inventory').map((e) => e.name)).toEqual([
      'StockReserved',
      'StockRejected',
      'ReleaseStock',
    ]);
    expect(orderCatalog.eventsOf(OrderPlaced.topic)).toHaveLength(5);
    expect(orderEvents).toHaveLength(12);
  });

  it('rejects the same type twice', () => {
    expect(() => new EventCatalog([StockReserved, StockReserved])).toThrow(/listed twice/);
  });
});
