import type { EventData } from '@fleet/contracts';
import { OrderConfirmed, OrderRejected, ReleaseStock, VoidPayment } from '@fleet/contracts/orders';
import type { ContextFor, EventMeta, PublishesOf } from '@fleet/processor';
import { transition } from 'xstate';
import type {
  AnomalyKind,
  RejectReason,
  ReleaseReason,
  SagaContext,
  SagaEvent,
  VoidReason,
} from '../order-saga-machine.ts';
import { orderSagaMachine } from '../order-saga-machine.ts';
import type { OrderLifecycle } from '../processor.ts';
import { lockSaga, type SagaSnapshot, saveSaga } from '../saga-store.ts';

type Ctx = ContextFor<OrderLifecycle>;
/** What moved the saga: the consumed event, or the schedule's decision (recorded with anomalies). */
export type SagaFactSource = Pick<EventMeta, 'id' | 'type'>;

const needsAttention = new Set<AnomalyKind>([
  'CONFLICTING_OUTCOME',
  'UNHANDLED_IN_STATE',
  'PAYMENT_AFTER_END',
]);

/** Whether an anomaly may need a person, given the state it was met in. */
export const needsAttentionIn = (kind: AnomalyKind, state: string): boolean =>
  needsAttention.has(kind) && !(kind === 'PAYMENT_AFTER_END' && state === 'cancelled');

/** What a person reading the log or the anomaly table should understand about each case. */
const anomalyDetail: Record<AnomalyKind, string> = {
  EARLY_EVENT: 'arrived before OrderPlaced (other topic); kept in a pending saga until the order arrives',
  DUPLICATE_ORDER: 'a second OrderPlaced for an order already known; ignored',
  DUPLICATE_OUTCOME: 'a second, different outcome of the same kind; the first one stands',
  PAYMENT_AFTER_END:
    'payment authorised for an order that already ended; VoidPayment issued if it was cancelled, else needs a person',
  RESERVATION_AFTER_END: 'stock reserved for an order that already ended; ReleaseStock issued',
  CANCEL_AFTER_END: 'cancellation of an order that already ended; recorded only',
  ORDER_AFTER_END: 'OrderPlaced after the order was cancelled; order data recorded, stays cancelled',
  CONFLICTING_OUTCOME: 'contradicts an earlier outcome of the same step; ignored, needs a person',
  UNHANDLED_IN_STATE: 'the state chart has no transition for this event in this state; ignored',
};

/**
 * Applies one fact to the order's saga in the handler's transaction: lock (or create) the saga row,
 * compute the next snapshot with the pure transition function, persist it, then run the effects the
 * chart asked for — follow-on events into the outbox, anomalies into `saga_anomalies`. All of it
 * commits with the dedupe record, or none of it does.
 */
export async function advanceSaga(
  ctx: Ctx,
  source: SagaFactSource,
  orderId: string,
  event: SagaEvent,
): Promise<SagaSnapshot> {
  const { snapshot, version } = await lockSaga(ctx.db, orderId);
  const from = String(snapshot.value);
  const anomaly = (kind: AnomalyKind) => recordAnomaly(ctx, source, orderId, from, kind);
  const publish = async <E extends Published>(type: E, data: EventData<E>) => {
    const id = await ctx.publish(type, data);
    ctx.log.info({ orderId, followOn: type.name, followOnId: id }, `published ${type.name}`);
  };
  if (!snapshot.can(event)) {
    await anomaly('UNHANDLED_IN_STATE');
    return snapshot;
  }
  const [next, actions] = transition(orderSagaMachine, snapshot, event);
  await saveSaga(ctx.db, orderId, version, next);
  const to = String(next.value);
  if (from !== to) ctx.log.info({ orderId, from, to }, `order saga ${from} → ${to}`);
  for (const action of actions) {
    const params = (action.params ?? {}) as Record<string, string>;
    switch (action.type) {
      case 'confirm':
        await publish(OrderConfirmed, confirmation(next.context));
        break;
      case 'reject':
        await publish(OrderRejected, rejection(next.context, params.reason as RejectReason, event.at));
        break;
      case 'releaseStock':
        await publish(ReleaseStock, {
          orderId,
          reservationId: params.reservationId ?? '',
          reason: params.reason as ReleaseReason,
          requestedAt: event.at,
        });
        break;
      case 'voidPayment':
        await publish(VoidPayment, {
          orderId,
          paymentId: params.paymentId ?? '',
          reason: params.reason as VoidReason,
          requestedAt: event.at,
        });
        break;
      case 'ignoreRedelivery':
        ctx.log.debug({ orderId, state: from }, 'same outcome redelivered under a new event ID; ignored');
        break;
      case 'anomaly':
        await anomaly(params.kind as AnomalyKind);
        break;
      default:
        throw new Error(`order saga asked for an unknown effect ${action.type}`);
    }
  }
  return next;
}

type Published = PublishesOf<OrderLifecycle>;

/** Confirmed when the last of order, reservation and payment became known (business time, deterministic). */
function confirmation(context: SagaContext) {
  const { order, payment, reservation } = context;
  if (!order || !payment || !reservation)
    throw new Error(`order ${context.orderId} confirmed without order, reservation or payment`);
  const at = [order.placedAt, reservation.at, payment.at].reduce((a, b) =>
    Date.parse(b) > Date.parse(a) ? b : a,
  );
  return {
    orderId: context.orderId,
    paymentId: payment.paymentId,
    totalCents: order.totalCents,
    currency: order.currency,
    confirmedAt: at,
  };
}

function rejection(context: SagaContext, reason: RejectReason, at: string) {
  const detail =
    reason === 'OUT_OF_STOCK'
      ? `missing: ${context.stockRejection?.skus.join(', ') ?? 'unknown'}`
      : reason === 'PAYMENT_DECLINED'
        ? (context.paymentDecline?.reason ?? 'declined')
        : (context.cancellation?.reason ?? 'cancelled');
  return { orderId: context.orderId, reason, detail: detail.slice(0, 500), rejectedAt: at };
}

async function recordAnomaly(
  ctx: Ctx,
  meta: SagaFactSource,
  orderId: string,
  state: string,
  kind: AnomalyKind,
): Promise<void> {
  const detail = anomalyDetail[kind];
  await ctx.db
    .insertInto('saga_anomalies')
    .values({ order_id: orderId, kind, state, event_id: meta.id, event_type: meta.type, detail })
    .onConflict((oc) => oc.constraint('saga_anomalies_once_per_event').doNothing())
    .execute();
  // An OpenTelemetry SDK hands back the same instrument for an identical registration: no cache needed.
  // Counted when seen: a transaction retried after a transient failure counts it again.
  ctx.meter
    .createCounter('order_saga_anomalies', {
      description: 'Events the order state chart could not apply as they came, by kind',
    })
    .add(1, { kind });
  // Three topics, redeliveries and late cancellations make most of these expected: info. What may need
  // a person (a contradiction, an event the chart cannot place, a payment after an order that ended
  // other than by cancellation: a cancelled order's payment is voided by the chart) is a warning.
  const level = needsAttentionIn(kind, state) ? 'warn' : 'info';
  ctx.log[level](
    { orderId, anomaly: kind, state, eventType: meta.type },
    `saga anomaly ${kind}: ${meta.type} for order ${orderId} in state ${state}: ${detail}`,
  );
}
