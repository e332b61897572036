import type { Generated } from 'kysely';

/** A line as the reservation keeps it: what was asked for (and, once reserved, held). */
export interface ReservedLine {
  sku: string;
  quantity: number;
}

/**
 * `reserved` holds stock; `released` gave it back; `rejected` never held any; `cancelled` is a
 * tombstone: a cancel or release arrived before the order, so a later OrderPlaced is rejected.
 */
export type ReservationStatus = 'reserved' | 'released' | 'rejected' | 'cancelled';

export interface StockTable {
  sku: string;
  /** Units free to reserve; a check constraint and every decrement's guard keep it >= 0. */
  available: number;
  updated_at: Generated<Date>;
}

export interface ReservationsTable {
  order_id: string;
  reservation_id: string | null;
  status: ReservationStatus;
  /** jsonb: the order's lines merged per SKU; null for a tombstone. */
  lines: ReservedLine[] | null;
  /** Why it was rejected (`out_of_stock`, `unknown_sku`, `cancelled`) or released (`ORDER_CANCELLED`…). */
  reason: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface InventoryDb {
  stock: StockTable;
  reservations: ReservationsTable;
}
