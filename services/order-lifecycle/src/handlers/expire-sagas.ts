import { causedBy, type ScheduleFor } from '@fleet/processor';
import { sagaTimeoutMs } from '../lifecycle-config.ts';
import type { OrderLifecycle } from '../processor.ts';
import { advanceSaga } from './advance-saga.ts';

/** What the saga's anomaly records name as the fact of a timeout. */
const timedOut = 'fleet.order_lifecycle.SagaTimedOut';

/** States that wait for another service; an order stuck in one holds stock or an authorisation. */
const waiting = ['awaitingOrder', 'placed', 'reserved'] as const;

/**
 * An order whose saga cannot finish (an outcome dead-lettered, a service down for good) must not hold
 * stock or an authorisation forever: past the timeout it is cancelled like a customer's cancellation,
 * so the chart releases the reservation and voids the payment it knows of, and OrderRejected (reason
 * CANCELLED, the detail says it timed out) tells everyone else. Checked every few seconds; a row is
 * taken only if no event is being applied to it right now (skip locked).
 */
export function expireStuckSagas(timeoutMs = sagaTimeoutMs()): ScheduleFor<OrderLifecycle> {
  return {
    name: 'expire-stuck-sagas',
    everyMs: Math.min(Math.max(Math.floor(timeoutMs / 4), 1_000), 30_000),
    run: async (ctx) => {
      const cutoff = new Date(Date.now() - timeoutMs);
      const stuck = await ctx.db
        .selectFrom('order_sagas')
        .select('order_id')
        .where('state', 'in', waiting)
        .where('updated_at', '<', cutoff)
        .orderBy('updated_at')
        .limit(100)
        .forUpdate()
        .skipLocked()
        .execute();
      for (const { order_id: orderId } of stuck) {
        const reason = `saga timed out: no outcome within ${Math.round(timeoutMs / 1000)} s`;
        // The decision, once per order: its follow-ons descend from `saga-timeout:<order>`.
        const decision = { id: `saga-timeout:${orderId}` };
        await advanceSaga(causedBy(ctx, decision), { id: decision.id, type: timedOut }, orderId, {
          type: 'TIMED_OUT',
          at: new Date().toISOString(),
          reason,
        });
        ctx.log.warn({ orderId }, `order ${orderId}: ${reason}; cancelled and compensated`);
      }
    },
  };
}
