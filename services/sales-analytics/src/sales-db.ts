import type { ColumnType } from 'kysely';

export interface SalesDb {
  /** Lines of every order placed, remembered until (and after) its confirmation. */
  placed_orders: {
    order_id: string;
    /** UTC day of placedAt: the day the sale is counted on. */
    placed_day: ColumnType<string, string, never>;
    currency: string;
    lines: ColumnType<unknown, string, never>;
  };
  confirmed_orders: { order_id: string; confirmed_at: ColumnType<Date, string, never> };
  /** Every cancelled order (first OrderCancelled wins): it is never counted, or its sale is reversed. */
  cancelled_orders: { order_id: string; cancelled_at: ColumnType<Date, string, never> };
  /**
   * The guard against double counting: an order is added to the totals once, whatever is redelivered,
   * and taken back at most once (`reversed_at`) when it is cancelled after it was counted.
   */
  counted_orders: {
    order_id: string;
    counted_at: ColumnType<Date, string | undefined, never>;
    /** Set once, by the reversal; a reversed order is never counted again. */
    reversed_at: ColumnType<Date | null, never, string>;
  };
  daily_sku_sales: {
    day: ColumnType<string, string, never>;
    sku: string;
    currency: string;
    revenue_cents: ColumnType<string, number, number>;
    units: ColumnType<string, number, number>;
    orders: number;
  };
}
