import type { OrderLine } from '@fleet/contracts/orders';
import type { ReservedLine } from './inventory-db.ts';

/**
 * The order's lines as stock sees them: one per SKU (an order may list a SKU twice), sorted by SKU so
 * that every transaction locks stock rows in the same order and two orders never deadlock each other.
 */
export function mergeLines(lines: readonly Pick<OrderLine, 'sku' | 'quantity'>[]): ReservedLine[] {
  const bySku = new Map<string, number>();
  for (const { sku, quantity } of lines) bySku.set(sku, (bySku.get(sku) ?? 0) + quantity);
  return [...bySku]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([sku, quantity]) => ({ sku, quantity }));
}

/** One reservation per order, so its ID follows from the order's: replays and the saga agree on it. */
export const reservationIdOf = (orderId: string) => `res-${orderId}`;
