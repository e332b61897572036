import { describe, expect, it } from 'vitest';
import { initialTransition, transition } from 'xstate';
import { orderSagaMachine, type SagaEvent, type SagaState, sagaStates } from '../src/order-saga-machine.ts';
import { persist, restore, type SagaSnapshot } from '../src/saga-store.ts';

const order = {
  customerId: 'cust-1',
  totalCents: 3448,
  currency: 'EUR',
  placedAt: '2026-03-14T09:00:00.000Z',
};
const placed: SagaEvent = { type: 'ORDER_PLACED', at: order.placedAt, order };
const reserved = (reservationId = 'res-1'): SagaEvent => ({
  type: 'STOCK_RESERVED',
  at: '2026-03-14T09:00:01.000Z',
  reservationId,
});
const stockRejected: SagaEvent = { type: 'STOCK_REJECTED', at: '2026-03-14T09:00:01.000Z', skus: ['MUG-7'] };
const authorized = (paymentId = 'pay-1'): SagaEvent => ({
  type: 'PAYMENT_AUTHORIZED',
  at: '2026-03-14T09:00:02.000Z',
  paymentId,
  amountCents: 3448,
  currency: 'EUR',
});
const declined: SagaEvent = {
  type: 'PAYMENT_DECLINED',
  at: '2026-03-14T09:00:02.000Z',
  reason: 'CARD_EXPIRED',
};
const cancelled: SagaEvent = {
  type: 'ORDER_CANCELLED',
  at: '2026-03-14T09:00:03.000Z',
  reason: 'changed mind',
};

type Effect = { type: string; params?: unknown };

/** Runs events from a fresh saga; returns the final snapshot and the effects of each step. */
function run(...events: SagaEvent[]) {
  let [snapshot] = initialTransition(orderSagaMachine, { orderId: 'order-1' });
  const steps: Effect[][] = [];
  for (const event of events) {
    expect(snapshot.can(event), `${event.type} in ${String(snapshot.value)}`).toBe(true);
    const [next, actions] = transition(orderSagaMachine, snapshot, event);
    steps.push(actions.map((a) => ({ type: a.type, ...(a.params ? { params: a.params } : {}) })));
    snapshot = next;
  }
  return { state: snapshot.value as SagaState, snapshot, steps, effects: steps.flat() };
}

const confirm = { type: 'confirm' };
const reject = (reason: string) => ({ type: 'reject', params: { reason } });
const release = (reason: string, reservationId = 'res-1') => ({
  type: 'releaseStock',
  params: { reason, reservationId },
});
const voidPayment = (paymentId = 'pay-1') => ({
  type: 'voidPayment',
  params: { reason: 'ORDER_CANCELLED', paymentId },
});
const anomaly = (kind: string) => ({ type: 'anomaly', params: { kind } });
const ignored = { type: 'ignoreRedelivery' };

describe('order saga state chart: the regular paths', () => {
  it('starts awaiting the order with empty facts', () => {
    const { state, snapshot } = run();
    expect(state).toBe('awaitingOrder');
    expect(snapshot.context.order).toBeNull();
  });

  it('placed → reserved → paid → confirmed, confirming once', () => {
    const r = run(placed, reserved(), authorized());
    expect(r.steps).toEqual([[], [], [confirm]]);
    expect(r.state).toBe('confirmed');
  });

  it('stops in each intermediate state', () => {
    expect(run(placed).state).toBe('placed');
    expect(run(placed, reserved()).state).toBe('reserved');
  });

  it('payment authorised before the reservation: waits in placed, confirms on the reservation', () => {
    const r = run(placed, authorized(), reserved());
    expect(r.steps).toEqual([[], [], [confirm]]);
    expect(r.state).toBe('confirmed');
    expect(run(placed, authorized()).state).toBe('placed');
  });

  it('stock rejected → rejected (OUT_OF_STOCK), nothing to release', () => {
    const r = run(placed, stockRejected);
    expect(r.state).toBe('rejected');
    expect(r.effects).toEqual([reject('OUT_OF_STOCK')]);
  });

  it('payment declined after the reservation → declined, rejection and ReleaseStock', () => {
    const r = run(placed, reserved(), declined);
    expect(r.state).toBe('declined');
    expect(r.effects).toEqual([reject('PAYMENT_DECLINED'), release('PAYMENT_DECLINED')]);
    expect(r.snapshot.context.released).toEqual(['res-1']);
  });

  it('payment declined before the reservation → declined at once; the late reservation is released once', () => {
    const r = run(placed, declined, reserved(), reserved());
    expect(r.state).toBe('declined');
    expect(r.steps).toEqual([
      [],
      [reject('PAYMENT_DECLINED')],
      [anomaly('RESERVATION_AFTER_END'), release('PAYMENT_DECLINED')],
      [ignored],
    ]);
  });

  it('cancelled before a reservation: nothing to release', () => {
    const r = run(placed, cancelled);
    expect(r.state).toBe('cancelled');
    expect(r.effects).toEqual([]);
  });

  it('cancelled after the reservation: ReleaseStock (ORDER_CANCELLED), once', () => {
    const r = run(placed, reserved(), cancelled, reserved());
    expect(r.state).toBe('cancelled');
    expect(r.steps).toEqual([[], [], [release('ORDER_CANCELLED')], [ignored]]);
  });

  it('cancelled after confirmation: cancelled, stock released and payment voided, once', () => {
    const r = run(placed, reserved(), authorized(), cancelled, cancelled, authorized(), reserved());
    expect(r.state).toBe('cancelled');
    expect(r.steps.slice(3)).toEqual([
      [release('ORDER_CANCELLED'), voidPayment()],
      [anomaly('DUPLICATE_OUTCOME')],
      [ignored],
      [ignored],
    ]);
    expect(r.snapshot.context).toMatchObject({ released: ['res-1'], voided: ['pay-1'] });
  });

  it('cancelled with a payment authorised before the reservation: the payment is voided', () => {
    const r = run(placed, authorized(), cancelled);
    expect(r.state).toBe('cancelled');
    expect(r.steps[2]).toEqual([voidPayment()]);
  });
});

describe('order saga state chart: events in any order across topics', () => {
  it('reservation and payment before the order: pending saga, confirmed when the order arrives', () => {
    const r = run(reserved(), authorized(), placed);
    expect(r.steps).toEqual([[anomaly('EARLY_EVENT')], [anomaly('EARLY_EVENT')], [confirm]]);
    expect(r.state).toBe('confirmed');
  });

  it('stock rejection before the order → rejected when the order arrives', () => {
    const r = run(stockRejected, placed);
    expect(r.state).toBe('rejected');
    expect(r.steps[1]).toEqual([reject('OUT_OF_STOCK')]);
  });

  it('decline and reservation before the order → declined with compensation when the order arrives', () => {
    const r = run(declined, reserved(), placed);
    expect(r.state).toBe('declined');
    expect(r.steps[2]).toEqual([reject('PAYMENT_DECLINED'), release('PAYMENT_DECLINED')]);
  });

  it('cancellation before the order, after an early reservation and payment: cancelled, both compensated', () => {
    const r = run(reserved(), authorized(), cancelled);
    expect(r.state).toBe('cancelled');
    expect(r.steps[2]).toEqual([release('ORDER_CANCELLED'), voidPayment()]);
  });

  it('the order after its cancellation: order data kept, stays cancelled, flagged', () => {
    const r = run(cancelled, placed, placed);
    expect(r.state).toBe('cancelled');
    expect(r.steps).toEqual([[], [anomaly('ORDER_AFTER_END')], [anomaly('DUPLICATE_ORDER')]]);
    expect(r.snapshot.context.order).toEqual(order);
  });
});

describe('order saga state chart: impossible transitions are explicit', () => {
  it('a payment for a cancelled order is flagged and voided, each payment once', () => {
    const r = run(placed, cancelled, authorized(), authorized(), authorized('pay-2'));
    expect(r.state).toBe('cancelled');
    expect(r.steps.slice(2)).toEqual([
      [anomaly('PAYMENT_AFTER_END'), voidPayment()],
      [ignored],
      [anomaly('PAYMENT_AFTER_END'), voidPayment('pay-2')],
    ]);
  });

  it('a payment for a stock-rejected order is flagged, not voided (inventory contradicted itself)', () => {
    expect(run(placed, stockRejected, authorized()).steps[2]).toEqual([anomaly('PAYMENT_AFTER_END')]);
  });

  it('a cancellation of a rejected or declined order is recorded only', () => {
    expect(run(placed, stockRejected, cancelled).steps[2]).toEqual([anomaly('CANCEL_AFTER_END')]);
    expect(run(placed, declined, cancelled).steps[2]).toEqual([anomaly('CANCEL_AFTER_END')]);
  });

  it('duplicate orders are flagged in every state that has one', () => {
    expect(run(placed, placed).steps[1]).toEqual([anomaly('DUPLICATE_ORDER')]);
    expect(run(placed, reserved(), placed).steps[2]).toEqual([anomaly('DUPLICATE_ORDER')]);
    expect(run(placed, reserved(), authorized(), placed).steps[3]).toEqual([anomaly('DUPLICATE_ORDER')]);
    expect(run(placed, stockRejected, placed).steps[2]).toEqual([anomaly('DUPLICATE_ORDER')]);
    expect(run(placed, declined, placed).steps[2]).toEqual([anomaly('DUPLICATE_ORDER')]);
  });

  it('contradicting outcomes are flagged and ignored', () => {
    expect(run(placed, reserved(), stockRejected).steps[2]).toEqual([anomaly('CONFLICTING_OUTCOME')]);
    expect(run(placed, reserved(), authorized(), declined).steps[3]).toEqual([
      anomaly('CONFLICTING_OUTCOME'),
    ]);
    expect(run(placed, reserved(), authorized(), stockRejected).state).toBe('confirmed');
    expect(run(placed, declined, authorized()).steps[2]).toEqual([anomaly('CONFLICTING_OUTCOME')]);
    // A reservation after a stock rejection: not released blindly, a person decides.
    const r = run(placed, stockRejected, reserved());
    expect(r.steps[2]).toEqual([anomaly('CONFLICTING_OUTCOME')]);
    expect(r.state).toBe('rejected');
  });

  it('second outcomes of a step: the same one is ignored quietly, another one is flagged', () => {
    expect(run(placed, reserved(), reserved()).steps[2]).toEqual([ignored]);
    expect(run(placed, reserved(), reserved('res-2')).steps[2]).toEqual([anomaly('DUPLICATE_OUTCOME')]);
    expect(run(placed, reserved(), authorized(), authorized()).steps[3]).toEqual([ignored]);
    expect(run(placed, reserved(), authorized(), authorized('pay-2')).steps[3]).toEqual([
      anomaly('DUPLICATE_OUTCOME'),
    ]);
    expect(run(placed, stockRejected, stockRejected).steps[2]).toEqual([anomaly('DUPLICATE_OUTCOME')]);
    expect(run(placed, declined, declined).steps[2]).toEqual([anomaly('DUPLICATE_OUTCOME')]);
    expect(run(placed, cancelled, cancelled).steps[2]).toEqual([anomaly('DUPLICATE_OUTCOME')]);
  });

  it('a second reservation for a cancelled order is released too (each reservation once)', () => {
    const r = run(placed, reserved(), cancelled, reserved('res-2'), reserved('res-2'));
    expect(r.steps.slice(2)).toEqual([
      [release('ORDER_CANCELLED')],
      [anomaly('RESERVATION_AFTER_END'), release('ORDER_CANCELLED', 'res-2')],
      [ignored],
    ]);
  });

  it('every event is accepted in every resting state: nothing throws, nothing is left unhandled', () => {
    const reach: Record<Exclude<SagaState, 'paid'>, SagaEvent[]> = {
      awaitingOrder: [],
      placed: [placed],
      reserved: [placed, reserved()],
      confirmed: [placed, reserved(), authorized()],
      rejected: [placed, stockRejected],
      declined: [placed, declined],
      cancelled: [placed, cancelled],
    };
    const all = [placed, cancelled, reserved('res-9'), stockRejected, authorized('pay-9'), declined];
    for (const [state, path] of Object.entries(reach)) {
      expect(run(...path).state).toBe(state);
      for (const event of all) expect(() => run(...path, event)).not.toThrow();
    }
    expect(sagaStates).toContain('paid');
  });
});

describe('order saga persistence', () => {
  it('restores a snapshot saved before payments could be voided (no voided list)', () => {
    const { snapshot } = run(placed, reserved(), authorized());
    const stored = JSON.parse(persist(snapshot));
    delete stored.context.voided;
    const [next, actions] = transition(orderSagaMachine, restore(stored), cancelled);
    expect(next.value).toBe('cancelled');
    expect(actions.map((a) => a.type)).toEqual(['releaseStock', 'voidPayment']);
  });

  it('restores a persisted snapshot and continues from it', () => {
    const { snapshot } = run(authorized(), placed);
    const stored = JSON.parse(persist(snapshot));
    expect(stored.value).toBe('placed');
    const restored: SagaSnapshot = restore(stored);
    expect(restored.value).toBe('placed');
    expect(restored.context).toEqual(snapshot.context);
    const [next, actions] = transition(orderSagaMachine, restored, reserved());
    expect(next.value).toBe('confirmed');
    expect(actions.map((a) => a.type)).toEqual(['confirm']);
  });
});
