import { type Kysely, type Selectable, sql } from 'kysely';
import { deriveStatus, statusFactsOf } from '../order-status.ts';
import type { OrderSummaryRow, ViewDb } from '../view-db.ts';
import { encodeCursor, type ListCursor } from './list-cursor.ts';
import type { OrderListItem, OrderSummary } from './order-schemas.ts';

type Row = Selectable<OrderSummaryRow>;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function listItemOf(r: Row): OrderListItem {
  const { rejectionReason } = deriveStatus(statusFactsOf(r));
  return {
    orderId: r.order_id,
    customerId: r.customer_id ?? '',
    status: r.status as OrderListItem['status'],
    rejectionReason,
    currency: r.currency ?? '',
    totalCents: Number(r.total_cents ?? 0),
    itemCount: (r.lines ?? []).reduce((n, l) => n + l.quantity, 0),
    placedAt: iso(r.placed_at) ?? '',
    updatedAt: iso(r.updated_at) ?? '',
  };
}

/** Only orders whose OrderPlaced was seen are served; facts that came first wait unseen. */
export async function findOrder(db: Kysely<ViewDb>, orderId: string): Promise<OrderSummary | undefined> {
  const row = await db
    .selectFrom('order_summaries')
    .selectAll()
    .where('order_id', '=', orderId)
    .where('placed_at', 'is not', null)
    .executeTakeFirst();
  if (!row) return undefined;
  const timeline = await db
    .selectFrom('order_timeline')
    .select(['event_id', 'type', 'at'])
    .where('order_id', '=', orderId)
    .orderBy('at')
    .orderBy('event_id')
    .execute();
  return {
    ...listItemOf(row),
    lines: (row.lines ?? []).map((l) => ({ ...l, lineTotalCents: l.quantity * l.unitPrice })),
    reservation:
      row.reservation_id && row.reserved_at
        ? {
            reservationId: row.reservation_id,
            warehouse: row.warehouse ?? '',
            reservedAt: row.reserved_at.toISOString(),
          }
        : null,
    payment: row.payment_id
      ? {
          paymentId: row.payment_id,
          amountCents: row.authorized_cents === null ? null : Number(row.authorized_cents),
          authorizedAt: iso(row.authorized_at),
        }
      : null,
    voidRequestedAt: iso(row.void_requested_at),
    paymentVoidedAt: iso(row.payment_voided_at),
    timeline: timeline.map((t) => ({ at: t.at.toISOString(), type: t.type, eventId: t.event_id })),
  };
}

export async function listOrders(
  db: Kysely<ViewDb>,
  filter: {
    status?: string | undefined;
    customerId?: string | undefined;
    limit: number;
    after?: ListCursor | undefined;
  },
): Promise<{ items: OrderListItem[]; nextCursor: string | null }> {
  let query = db
    .selectFrom('order_summaries')
    .selectAll()
    .where('placed_at', 'is not', null)
    .orderBy('placed_at', 'desc')
    .orderBy('order_id', 'desc')
    .limit(filter.limit + 1);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.customerId) query = query.where('customer_id', '=', filter.customerId);
  if (filter.after) {
    const { placedAt, orderId } = filter.after;
    query = query.where(sql<boolean>`(placed_at, order_id) < (${placedAt}::timestamptz, ${orderId}::uuid)`);
  }
  const rows = await query.execute();
  const page = rows.slice(0, filter.limit);
  const last = page.at(-1);
  return {
    items: page.map(listItemOf),
    nextCursor:
      rows.length > filter.limit && last?.placed_at
        ? encodeCursor({ placedAt: last.placed_at.toISOString(), orderId: last.order_id })
        : null,
  };
}
