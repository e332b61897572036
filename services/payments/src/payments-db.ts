import type { ColumnType, Generated } from 'kysely';

/** bigint: pg returns it as a string (it may exceed 2^53); written as a number. */
type Int8 = ColumnType<string, number, number>;

/**
 * What a decision needs, gathered from two topics that arrive in either order: the order's facts
 * (OrderPlaced on `orders`) and its reservation (StockReserved on `inventory`).
 */
export interface PaymentRequestsTable {
  order_id: string;
  customer_id: string | null;
  total_cents: Int8 | null;
  currency: string | null;
  placed_at: Date | string | null;
  reservation_id: string | null;
  reserved_at: Date | string | null;
  updated_at: Generated<Date>;
}

export type PaymentDecision = 'authorized' | 'declined';

/** One decision per order (the primary key makes a second one impossible). */
export interface PaymentsTable {
  order_id: string;
  payment_id: string;
  decision: PaymentDecision;
  /** The rule that decided, or `default` when none fired. */
  reason: string;
  /** PaymentDeclined's reason code; null when authorized. */
  decline_code: string | null;
  amount: Int8;
  currency: string;
  customer_id: string;
  decided_at: Generated<Date>;
  /** Set once when a VoidPayment released the authorisation. */
  voided_at: Date | string | null;
  void_reason: string | null;
}

export interface PaymentsDb {
  payment_requests: PaymentRequestsTable;
  payments: PaymentsTable;
}
