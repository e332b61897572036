/** What a client sees. PENDING (facts but no order yet) is internal: such orders are not served. */
export const orderStatuses = ['PLACED', 'RESERVED', 'PAID', 'CONFIRMED', 'REJECTED', 'CANCELLED'] as const;
export type OrderStatus = (typeof orderStatuses)[number] | 'PENDING';

export type RejectionReason = 'OUT_OF_STOCK' | 'PAYMENT_DECLINED' | 'CANCELLED';

/** The facts the status depends on: whether (and when) each kind of event has been seen. */
export interface StatusFacts {
  placed: boolean;
  reserved: boolean;
  stockRejected: boolean;
  authorized: boolean;
  declined: boolean;
  cancelled: boolean;
  confirmed: boolean;
  rejected: boolean;
  /** From OrderRejected, when seen. */
  rejectionReason: string | null;
}

/**
 * The status by precedence over the facts seen, never by arrival order (three topics, any order):
 * the customer's cancellation > confirmed > rejected (the saga's verdict, or a failed step: stock
 * rejected, payment declined) > paid > reserved > placed.
 * A cancellation always wins, whatever arrived before or after it: the saga honours a cancellation
 * even after confirming (it compensates with ReleaseStock and VoidPayment), and a cancelled order's
 * stock may be refused *because* it was cancelled (the cancel can overtake the order). So the
 * customer's intent is the outcome, and the status does not depend on which topic a service
 * happened to read first. A cancellation without its order is still PENDING (not served).
 */
export function deriveStatus(f: StatusFacts): {
  status: OrderStatus;
  rejectionReason: RejectionReason | null;
} {
  if (f.placed && f.cancelled) return { status: 'CANCELLED', rejectionReason: null };
  if (f.confirmed) return { status: 'CONFIRMED', rejectionReason: null };
  if (f.rejected)
    return {
      status: 'REJECTED',
      rejectionReason: asReason(f.rejectionReason) ?? inferredReason(f) ?? 'OUT_OF_STOCK',
    };
  if (!f.placed) return { status: 'PENDING', rejectionReason: null };
  const inferred = inferredReason(f);
  if (inferred) return { status: 'REJECTED', rejectionReason: inferred };
  if (f.authorized) return { status: 'PAID', rejectionReason: null };
  if (f.reserved) return { status: 'RESERVED', rejectionReason: null };
  return { status: 'PLACED', rejectionReason: null };
}

function inferredReason(f: StatusFacts): RejectionReason | null {
  if (f.stockRejected) return 'OUT_OF_STOCK';
  if (f.declined) return 'PAYMENT_DECLINED';
  return null;
}

function asReason(reason: string | null): RejectionReason | null {
  return reason === 'OUT_OF_STOCK' || reason === 'PAYMENT_DECLINED' || reason === 'CANCELLED' ? reason : null;
}

/** The facts of a summary row (null timestamps: not seen yet). */
export function statusFactsOf(row: {
  placed_at: unknown;
  reserved_at: unknown;
  stock_rejected_at: unknown;
  authorized_at: unknown;
  declined_at: unknown;
  cancelled_at: unknown;
  confirmed_at: unknown;
  rejected_at: unknown;
  rejection_reason: string | null;
}): StatusFacts {
  return {
    placed: row.placed_at !== null,
    reserved: row.reserved_at !== null,
    stockRejected: row.stock_rejected_at !== null,
    authorized: row.authorized_at !== null,
    declined: row.declined_at !== null,
    cancelled: row.cancelled_at !== null,
    confirmed: row.confirmed_at !== null,
    rejected: row.rejected_at !== null,
    rejectionReason: row.rejection_reason,
  };
}
