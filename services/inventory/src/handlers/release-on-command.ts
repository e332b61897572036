import type { ReleaseStock } from '@fleet/contracts/orders';
import type { EventHandlerFor } from '@fleet/processor';
import { reservationIdOf } from '../order-lines.ts';
import type { Inventory } from '../processor.ts';
import { releaseReservation } from './release-reservation.ts';

/** ReleaseStock (from the order-lifecycle saga, e.g. after a declined payment) → give the stock back. */
export const releaseOnCommand: EventHandlerFor<Inventory, typeof ReleaseStock> = async (event, ctx) => {
  const { orderId, reservationId, reason } = event.data;
  // One reservation per order: a different ID is an upstream mistake, but the command still means
  // "this order will not be fulfilled", so the order's stock is released all the same.
  if (reservationId !== reservationIdOf(orderId))
    ctx.log.warn(
      { orderId, reservationId, expected: reservationIdOf(orderId) },
      'ReleaseStock names another reservation ID',
    );
  const outcome = await releaseReservation(ctx.db, orderId, reason);
  ctx.log.info({ orderId, reason, outcome }, 'release requested');
};
