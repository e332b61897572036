import { and, assign, enqueueActions, setup } from 'xstate';

/**
 * The order saga as an XState v5 state chart. It is evaluated with the pure `transition()` function
 * (no actor, no timers): the handler loads the persisted snapshot, computes the next one and gets
 * back the effect actions (`confirm`, `reject`, `releaseStock`, `voidPayment`, `anomaly`), which it
 * turns into outbox events and anomaly rows in the same transaction.
 *
 * Orders, inventory and payments are different topics, so this service may see a reservation or a
 * payment before the order. Every event therefore first records its fact in the context; eventless
 * (`always`) transitions then move the order as far as the known facts allow. A saga created by an
 * early event waits in `awaitingOrder` with the facts it has seen ("pending saga").
 *
 *   awaitingOrder ─OrderPlaced→ placed ─reserved→ reserved ─authorized→ paid → confirmed
 *   placed: stock rejected → rejected; payment declined → declined
 *   reserved: payment declined → declined (+ ReleaseStock)
 *   any state but rejected/declined: OrderCancelled → cancelled, compensating what is held:
 *     ReleaseStock for a reservation, VoidPayment for an authorised payment (confirmed orders too)
 *   awaitingOrder/placed/reserved: TIMED_OUT (no outcome within the saga timeout, see
 *     `handlers/expire-sagas.ts`) → cancelled like a cancellation, and OrderRejected (CANCELLED)
 *   rejected/declined/cancelled: a late reservation is released (once per reservation);
 *   cancelled: a late authorisation is voided (once per payment)
 *
 * The customer's cancellation wins whenever it comes: orders, inventory and payments are separate
 * topics, so whether the saga sees the cancel before or after the confirming facts is a matter of
 * timing. If a confirmed order stayed confirmed, its outcome would depend on that timing, and on
 * which service happened to read the cancel first. Fulfilment (capture, shipping) is outside this
 * fleet.
 */

export type RejectReason = 'OUT_OF_STOCK' | 'PAYMENT_DECLINED' | 'CANCELLED';
export type ReleaseReason = 'PAYMENT_DECLINED' | 'ORDER_CANCELLED';
export type VoidReason = 'ORDER_CANCELLED';

export type AnomalyKind =
  /** A reservation or payment outcome arrived before its order (other topic): kept, not an error. */
  | 'EARLY_EVENT'
  | 'DUPLICATE_ORDER'
  | 'DUPLICATE_OUTCOME'
  | 'PAYMENT_AFTER_END'
  | 'RESERVATION_AFTER_END'
  | 'CANCEL_AFTER_END'
  | 'ORDER_AFTER_END'
  | 'CONFLICTING_OUTCOME'
  /** Recorded by the handler when the chart has no transition for the event in its state. */
  | 'UNHANDLED_IN_STATE';

export interface SagaOrder {
  customerId: string;
  totalCents: number;
  currency: string;
  placedAt: string;
}

export interface SagaContext {
  orderId: string;
  order: SagaOrder | null;
  reservation: { reservationId: string; at: string } | null;
  stockRejection: { skus: string[]; at: string } | null;
  payment: { paymentId: string; amountCents: number; currency: string; at: string } | null;
  paymentDecline: { reason: string; at: string } | null;
  cancellation: { reason: string; at: string } | null;
  /** Reservations a ReleaseStock was issued for: a reservation is released at most once. */
  released: string[];
  /** Payments a VoidPayment was issued for: a payment is voided at most once. */
  voided: string[];
}

/** Every event carries `at`, the business time of the fact (from the payload, not the clock). */
export type SagaEvent =
  | { type: 'ORDER_PLACED'; at: string; order: SagaOrder }
  | { type: 'ORDER_CANCELLED'; at: string; reason: string }
  | { type: 'STOCK_RESERVED'; at: string; reservationId: string }
  | { type: 'STOCK_REJECTED'; at: string; skus: string[] }
  | { type: 'PAYMENT_AUTHORIZED'; at: string; paymentId: string; amountCents: number; currency: string }
  | { type: 'PAYMENT_DECLINED'; at: string; reason: string }
  /** No outcome within the saga timeout: cancelled by the fleet itself, compensated like a cancellation. */
  | { type: 'TIMED_OUT'; at: string; reason: string };

export type SagaState =
  | 'awaitingOrder'
  | 'placed'
  | 'reserved'
  | 'paid'
  | 'confirmed'
  | 'rejected'
  | 'declined'
  | 'cancelled';

export const sagaStates: readonly SagaState[] = [
  'awaitingOrder',
  'placed',
  'reserved',
  'paid',
  'confirmed',
  'rejected',
  'declined',
  'cancelled',
];

/** The reservation an event makes us release: the one it reports, else the one on record. */
const reservationOf = (context: SagaContext, event: SagaEvent): string | undefined =>
  event.type === 'STOCK_RESERVED' ? event.reservationId : context.reservation?.reservationId;

/** The payment an event makes us void: the one it reports, else the one on record. */
const paymentOf = (context: SagaContext, event: SagaEvent): string | undefined =>
  event.type === 'PAYMENT_AUTHORIZED' ? event.paymentId : context.payment?.paymentId;

const anomaly = (kind: AnomalyKind) => ({ type: 'anomaly', params: { kind } }) as const;
const release = (reason: ReleaseReason) =>
  [
    {
      type: 'releaseStock',
      params: ({ context, event }: { context: SagaContext; event: SagaEvent }) => ({
        reason,
        reservationId: reservationOf(context, event) ?? '',
      }),
    },
    'markReleased',
  ] as const;

const voidIt = (reason: VoidReason) =>
  [
    {
      type: 'voidPayment',
      params: ({ context, event }: { context: SagaContext; event: SagaEvent }) => ({
        reason,
        paymentId: paymentOf(context, event) ?? '',
      }),
    },
    'markVoided',
  ] as const;

export const orderSagaMachine = setup({
  types: {
    context: {} as SagaContext,
    events: {} as SagaEvent,
    input: {} as { orderId: string },
  },
  actions: {
    // Effects: no-ops here on purpose; `transition()` returns them and the handler executes them.
    confirm: () => {},
    reject: (_, _params: { reason: RejectReason }) => {},
    releaseStock: (_, _params: { reason: ReleaseReason; reservationId: string }) => {},
    voidPayment: (_, _params: { reason: VoidReason; paymentId: string }) => {},
    anomaly: (_, _params: { kind: AnomalyKind }) => {},
    /** The same outcome again under a new event ID (an upstream retry): nothing to do. */
    ignoreRedelivery: () => {},
    recordOrder: assign({
      order: ({ event }) => (event.type === 'ORDER_PLACED' ? event.order : null),
    }),
    recordReservation: assign({
      reservation: ({ context, event }) =>
        event.type === 'STOCK_RESERVED' && context.reservation === null
          ? { reservationId: event.reservationId, at: event.at }
          : context.reservation,
    }),
    recordStockRejection: assign({
      stockRejection: ({ context, event }) =>
        event.type === 'STOCK_REJECTED' && context.stockRejection === null
          ? { skus: event.skus, at: event.at }
          : context.stockRejection,
    }),
    recordPayment: assign({
      payment: ({ context, event }) =>
        event.type === 'PAYMENT_AUTHORIZED' && context.payment === null
          ? {
              paymentId: event.paymentId,
              amountCents: event.amountCents,
              currency: event.currency,
              at: event.at,
            }
          : context.payment,
    }),
    recordPaymentDecline: assign({
      paymentDecline: ({ context, event }) =>
        event.type === 'PAYMENT_DECLINED' && context.paymentDecline === null
          ? { reason: event.reason, at: event.at }
          : context.paymentDecline,
    }),
    recordCancellation: assign({
      cancellation: ({ context, event }) =>
        (event.type === 'ORDER_CANCELLED' || event.type === 'TIMED_OUT') && context.cancellation === null
          ? { reason: event.reason, at: event.at }
          : context.cancellation,
    }),
    markReleased: assign({
      released: ({ context, event }) => {
        const id = reservationOf(context, event);
        return id && !context.released.includes(id) ? [...context.released, id] : context.released;
      },
    }),
    markVoided: assign({
      voided: ({ context, event }) => {
        const id = paymentOf(context, event);
        return id && !context.voided.includes(id) ? [...context.voided, id] : context.voided;
      },
    }),
  },
  guards: {
    stockReserved: ({ context }) => context.reservation !== null,
    stockRejected: ({ context }) => context.stockRejection !== null,
    paymentAuthorized: ({ context }) => context.payment !== null,
    paymentDeclined: ({ context }) => context.paymentDecline !== null,
    hasUnreleasedReservation: ({ context }) =>
      context.reservation !== null && !context.released.includes(context.reservation.reservationId),
    /** The reservation is the one on record or one released already (redelivered under a new event ID). */
    knownReservation: ({ context, event }) =>
      event.type === 'STOCK_RESERVED' &&
      (context.reservation?.reservationId === event.reservationId ||
        context.released.includes(event.reservationId)),
    samePayment: ({ context, event }) =>
      event.type === 'PAYMENT_AUTHORIZED' && context.payment?.paymentId === event.paymentId,
    /** The payment is the one on record or one voided already (redelivered under a new event ID). */
    knownPayment: ({ context, event }) =>
      event.type === 'PAYMENT_AUTHORIZED' &&
      (context.payment?.paymentId === event.paymentId || context.voided.includes(event.paymentId)),
  },
}).createMachine({
  id: 'orderSaga',
  context: ({ input }) => ({
    orderId: input.orderId,
    order: null,
    reservation: null,
    stockRejection: null,
    payment: null,
    paymentDecline: null,
    cancellation: null,
    released: [],
    voided: [],
  }),
  initial: 'awaitingOrder',
  states: {
    // A pending saga: outcomes seen before the order are kept until it arrives.
    awaitingOrder: {
      on: {
        ORDER_PLACED: { target: 'placed', actions: 'recordOrder' },
        ORDER_CANCELLED: { target: 'cancelled', actions: 'recordCancellation' },
        TIMED_OUT: {
          target: 'cancelled',
          actions: ['recordCancellation', { type: 'reject', params: { reason: 'CANCELLED' } }],
        },
        STOCK_RESERVED: { actions: ['recordReservation', anomaly('EARLY_EVENT')] },
        STOCK_REJECTED: { actions: ['recordStockRejection', anomaly('EARLY_EVENT')] },
        PAYMENT_AUTHORIZED: { actions: ['recordPayment', anomaly('EARLY_EVENT')] },
        PAYMENT_DECLINED: { actions: ['recordPaymentDecline', anomaly('EARLY_EVENT')] },
      },
    },
    placed: {
      // Facts known already (early events, or a payment that beat the reservation) decide at once.
      always: [
        {
          guard: 'stockRejected',
          target: 'rejected',
          actions: { type: 'reject', params: { reason: 'OUT_OF_STOCK' } },
        },
        // Declined with an early reservation on record: compensate it too.
        {
          guard: and(['paymentDeclined', 'hasUnreleasedReservation']),
          target: 'declined',
          actions: [
            { type: 'reject', params: { reason: 'PAYMENT_DECLINED' } },
            ...release('PAYMENT_DECLINED'),
          ],
        },
        {
          guard: 'paymentDeclined',
          target: 'declined',
          actions: { type: 'reject', params: { reason: 'PAYMENT_DECLINED' } },
        },
        { guard: 'stockReserved', target: 'reserved' },
      ],
      on: {
        ORDER_PLACED: { actions: anomaly('DUPLICATE_ORDER') },
        ORDER_CANCELLED: { target: 'cancelled', actions: 'recordCancellation' },
        TIMED_OUT: {
          target: 'cancelled',
          actions: ['recordCancellation', { type: 'reject', params: { reason: 'CANCELLED' } }],
        },
        STOCK_RESERVED: { actions: 'recordReservation' },
        STOCK_REJECTED: { actions: 'recordStockRejection' },
        // Payment may be authorised before stock is reserved (both follow OrderPlaced): kept until then.
        PAYMENT_AUTHORIZED: { actions: 'recordPayment' },
        PAYMENT_DECLINED: { actions: 'recordPaymentDecline' },
      },
    },
    reserved: {
      always: [
        {
          guard: 'paymentDeclined',
          target: 'declined',
          actions: [
            { type: 'reject', params: { reason: 'PAYMENT_DECLINED' } },
            ...release('PAYMENT_DECLINED'),
          ],
        },
        { guard: 'paymentAuthorized', target: 'paid' },
      ],
      on: {
        ORDER_PLACED: { actions: anomaly('DUPLICATE_ORDER') },
        ORDER_CANCELLED: { target: 'cancelled', actions: 'recordCancellation' },
        TIMED_OUT: {
          target: 'cancelled',
          actions: ['recordCancellation', { type: 'reject', params: { reason: 'CANCELLED' } }],
        },
        STOCK_RESERVED: [
          { guard: 'knownReservation', actions: 'ignoreRedelivery' },
          { actions: anomaly('DUPLICATE_OUTCOME') },
        ],
        STOCK_REJECTED: { actions: anomaly('CONFLICTING_OUTCOME') },
        PAYMENT_AUTHORIZED: { actions: 'recordPayment' },
        PAYMENT_DECLINED: { actions: 'recordPaymentDecline' },
      },
    },
    // Stock reserved and payment authorised: confirmed in the same step.
    paid: {
      always: { target: 'confirmed', actions: 'confirm' },
    },
    confirmed: {
      on: {
        ORDER_PLACED: { actions: anomaly('DUPLICATE_ORDER') },
        // The customer's cancellation wins over the confirmation: compensated on entering `cancelled`.
        ORDER_CANCELLED: { target: 'cancelled', actions: 'recordCancellation' },
        STOCK_RESERVED: [
          { guard: 'knownReservation', actions: 'ignoreRedelivery' },
          { actions: anomaly('DUPLICATE_OUTCOME') },
        ],
        STOCK_REJECTED: { actions: anomaly('CONFLICTING_OUTCOME') },
        PAYMENT_AUTHORIZED: [
          { guard: 'samePayment', actions: 'ignoreRedelivery' },
          { actions: anomaly('DUPLICATE_OUTCOME') },
        ],
        PAYMENT_DECLINED: { actions: anomaly('CONFLICTING_OUTCOME') },
      },
    },
    rejected: {
      on: {
        ORDER_PLACED: { actions: anomaly('DUPLICATE_ORDER') },
        ORDER_CANCELLED: { actions: ['recordCancellation', anomaly('CANCEL_AFTER_END')] },
        // Inventory said both "rejected" and "reserved": a person decides; nothing is released blindly.
        STOCK_RESERVED: { actions: ['recordReservation', anomaly('CONFLICTING_OUTCOME')] },
        STOCK_REJECTED: { actions: anomaly('DUPLICATE_OUTCOME') },
        // Only possible if inventory also reserved (a conflict): as for the reservation, a person decides.
        PAYMENT_AUTHORIZED: { actions: ['recordPayment', anomaly('PAYMENT_AFTER_END')] },
        PAYMENT_DECLINED: { actions: 'recordPaymentDecline' },
      },
    },
    declined: {
      on: {
        ORDER_PLACED: { actions: anomaly('DUPLICATE_ORDER') },
        ORDER_CANCELLED: { actions: ['recordCancellation', anomaly('CANCEL_AFTER_END')] },
        // The reservation came after the decline: compensate it now.
        STOCK_RESERVED: [
          { guard: 'knownReservation', actions: 'ignoreRedelivery' },
          {
            actions: ['recordReservation', anomaly('RESERVATION_AFTER_END'), ...release('PAYMENT_DECLINED')],
          },
        ],
        STOCK_REJECTED: { actions: 'recordStockRejection' },
        PAYMENT_AUTHORIZED: { actions: ['recordPayment', anomaly('CONFLICTING_OUTCOME')] },
        PAYMENT_DECLINED: { actions: anomaly('DUPLICATE_OUTCOME') },
      },
    },
    cancelled: {
      // Give back whatever the order still holds (a confirmed order holds both).
      entry: enqueueActions(({ context, enqueue }) => {
        const reservationId = context.reservation?.reservationId;
        if (reservationId && !context.released.includes(reservationId)) {
          enqueue({ type: 'releaseStock', params: { reason: 'ORDER_CANCELLED', reservationId } });
          enqueue('markReleased');
        }
        const paymentId = context.payment?.paymentId;
        if (paymentId && !context.voided.includes(paymentId)) {
          enqueue({ type: 'voidPayment', params: { reason: 'ORDER_CANCELLED', paymentId } });
          enqueue('markVoided');
        }
      }),
      on: {
        // The cancellation overtook the order (same topic, but e.g. a retried publish): keep the order data.
        ORDER_PLACED: [
          {
            guard: ({ context }) => context.order === null,
            actions: ['recordOrder', anomaly('ORDER_AFTER_END')],
          },
          { actions: anomaly('DUPLICATE_ORDER') },
        ],
        ORDER_CANCELLED: { actions: anomaly('DUPLICATE_OUTCOME') },
        STOCK_RESERVED: [
          { guard: 'knownReservation', actions: 'ignoreRedelivery' },
          {
            actions: ['recordReservation', anomaly('RESERVATION_AFTER_END'), ...release('ORDER_CANCELLED')],
          },
        ],
        STOCK_REJECTED: { actions: 'recordStockRejection' },
        PAYMENT_AUTHORIZED: [
          { guard: 'knownPayment', actions: 'ignoreRedelivery' },
          { actions: ['recordPayment', anomaly('PAYMENT_AFTER_END'), ...voidIt('ORDER_CANCELLED')] },
        ],
        PAYMENT_DECLINED: { actions: 'recordPaymentDecline' },
      },
    },
  },
});

export type OrderSagaMachine = typeof orderSagaMachine;
