import type { ColumnType } from 'kysely';

type Timestamp = ColumnType<Date, string, string>;
type Cents = ColumnType<string, number, number>;

/** Facts about an order as they arrive, first one of each kind wins; `status` is derived from them. */
export interface OrderSummaryRow {
  order_id: string;
  customer_id: string | null;
  currency: string | null;
  total_cents: Cents | null;
  lines: ColumnType<OrderLineJson[], string, string> | null;
  placed_at: Timestamp | null;
  reservation_id: string | null;
  warehouse: string | null;
  reserved_at: Timestamp | null;
  stock_rejected_at: Timestamp | null;
  payment_id: string | null;
  authorized_cents: Cents | null;
  authorized_at: Timestamp | null;
  declined_at: Timestamp | null;
  decline_reason: string | null;
  cancelled_at: Timestamp | null;
  cancel_reason: string | null;
  confirmed_at: Timestamp | null;
  rejected_at: Timestamp | null;
  rejection_reason: string | null;
  release_requested_at: Timestamp | null;
  void_requested_at: Timestamp | null;
  payment_voided_at: Timestamp | null;
  status: ColumnType<string, string | undefined, string>;
  updated_at: ColumnType<Date, string | undefined, string>;
}

export interface OrderLineJson {
  sku: string;
  quantity: number;
  unitPrice: number;
}

export interface ViewDb {
  order_summaries: OrderSummaryRow;
  order_timeline: {
    event_id: string;
    order_id: string;
    type: string;
    at: Timestamp;
  };
}
