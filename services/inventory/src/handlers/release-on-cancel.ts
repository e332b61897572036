import type { OrderCancelled } from '@fleet/contracts/orders';
import type { EventHandlerFor } from '@fleet/processor';
import type { Inventory } from '../processor.ts';
import { releaseReservation } from './release-reservation.ts';

/** OrderCancelled → give the order's stock back (or remember the cancel if the order is not here yet). */
export const releaseOnCancel: EventHandlerFor<Inventory, typeof OrderCancelled> = async (event, ctx) => {
  const { orderId } = event.data;
  const outcome = await releaseReservation(ctx.db, orderId, 'ORDER_CANCELLED');
  ctx.log.info({ orderId, outcome }, 'order cancelled');
};
