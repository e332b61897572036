import type { HandlerContext, Schedule, ScheduleContext } from '@fleet/processor';
import { sagaTimeoutMs } from '../lifecycle-config.ts';
import type { LifecycleDb } from '../lifecycle-db.ts';
import { advanceSaga } from './advance-saga.ts';

/** States that wait for another service; an order stuck in one holds stock or an authorisation. */
const waiting = ['awaitingOrder', 'placed', 'reserved'] as const;

/**
 * An order whose saga cannot finish (an outcome dead-lettered, a service down for good) must not hold
 * stock or an authorisation forever: past the timeout it is cancelled like a customer's cancellation,
 * so the chart releases the reservation and voids the payment it knows of, and OrderRejected (reason
 * CANCELLED, the detail says it timed out) tells everyone else. Checked every few seconds; a row is
 * taken only if no event is being applied to it right now (skip locked).
 */
export function expireStuckSagas(timeoutMs = sagaTimeoutMs()): Schedule<LifecycleDb> {
  return {
    name: 'expire-stuck-sagas',
    everyMs: Math.min(Math.max(Math.floor(timeoutMs / 4), 1_000), 30_000),
    async run(ctx) {
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
        await advanceSaga(asHandlerContext(ctx, orderId), orderId, {
          type: 'TIMED_OUT',
          at: new Date().toISOString(),
          reason,
        });
        ctx.log.warn({ orderId }, `order ${orderId}: ${reason}; cancelled and compensated`);
      }
    },
  };
}

/** advanceSaga's view of the decision: its follow-ons descend from `saga-timeout:<order>`, once per order. */
function asHandlerContext(ctx: ScheduleContext<LifecycleDb>, orderId: string): HandlerContext<LifecycleDb> {
  const id = `saga-timeout:${orderId}`;
  return {
    db: ctx.db,
    log: ctx.log,
    meter: ctx.meter,
    isReplay: false,
    publish: (type, data, options) => ctx.publish({ id }, type, data, options),
    meta: {
      id,
      type: 'fleet.order_lifecycle.SagaTimedOut',
      source: '/fleet/order_lifecycle',
      subject: orderId,
      time: new Date().toISOString(),
      key: orderId,
      topic: '',
      partition: -1,
      offset: '-1',
      timestamp: String(Date.now()),
      correlationId: id,
      causationId: undefined,
      traceparent: undefined,
      headers: {},
    },
  };
}
