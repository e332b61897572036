import type { EventData } from '@fleet/contracts';
import type { OrderCancelled } from '@fleet/contracts/orders';
import type { HandlerContext, ProcessedEvent } from '@fleet/processor';
import type { InventoryDb } from '../inventory-db.ts';
import { releaseReservation } from './release-reservation.ts';

/** OrderCancelled → give the order's stock back (or remember the cancel if the order is not here yet). */
export async function releaseOnCancel(
  event: ProcessedEvent<EventData<typeof OrderCancelled>>,
  ctx: HandlerContext<InventoryDb>,
) {
  const { orderId } = event.data;
  const outcome = await releaseReservation(ctx.db, orderId, 'ORDER_CANCELLED');
  ctx.log.info({ orderId, outcome }, 'order cancelled');
}
