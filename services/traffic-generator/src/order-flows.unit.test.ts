import { describe, expect, it } from 'vitest';
import { oracleOf } from './oracle.ts';
import { defaultMix, orderFlows, outOfStockSku, totalCents } from './order-flows.ts';

describe('order flows and their oracle', () => {
  it('replays the same traffic for the same seed, and other traffic for another', () => {
    expect(orderFlows(200, 42)).toEqual(orderFlows(200, 42));
    expect(orderFlows(200, 42)[0]?.orderId).not.toBe(orderFlows(200, 43)[0]?.orderId);
    expect(orderFlows(50, 42)).toEqual(orderFlows(200, 42).slice(0, 50));
  });

  it('mixes every kind of flow the fleet must handle', () => {
    const flows = orderFlows(2_000, 7);
    expect(flows.some((f) => f.via === 'intake') && flows.some((f) => f.via === 'kafka')).toBe(true);
    expect(flows.filter((f) => f.duplicate).length).toBeGreaterThan(40);
    for (const kind of ['overtake', 'after', 'later'] as const)
      expect(flows.some((f) => f.cancel === kind)).toBe(true);
    expect(flows.some((f) => f.lines.some((l) => l.sku === outOfStockSku))).toBe(true);
    expect(flows.some((f) => totalCents(f.lines) > 500_000)).toBe(true);
  });

  it('keeps every other flow of a seed when a cancellation kind is switched off', () => {
    const withLate = orderFlows(500, 11);
    const withoutLate = orderFlows(500, 11, { ...defaultMix, lateCancelShare: 0 });
    expect(withoutLate.map((f) => f.orderId)).toEqual(withLate.map((f) => f.orderId));
    expect(withoutLate.filter((f) => f.cancel === 'later')).toEqual([]);
    const changed = withLate.filter((f, i) => f.cancel !== withoutLate[i]?.cancel);
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.every((f) => f.cancel === 'later')).toBe(true);
  });

  it('predicts each outcome from the input alone, with the payment rules file and the catalogue', async () => {
    const flows = orderFlows(2_000, 7);
    const oracle = await oracleOf(flows, ['bad-1']);
    const statuses = Object.values(oracle.orders);
    for (const status of ['confirmed', 'rejected', 'declined', 'cancelled'] as const)
      expect(statuses).toContain(status);
    for (const flow of flows) {
      const status = oracle.orders[flow.orderId];
      if (flow.cancel !== 'none') expect(status).toBe('cancelled');
      else if (flow.customerId.startsWith('fraud-') || totalCents(flow.lines) > 500_000)
        expect(status).toBe('declined');
    }
    // Stock only moves for confirmed orders, and never below zero for the SKUs the generator uses.
    expect(Object.values(oracle.stock).every((units) => units >= 0)).toBe(true);
    const units = Object.values(oracle.sales).reduce((s, x) => s + x.units, 0);
    const confirmedUnits = flows
      .filter((f) => oracle.orders[f.orderId] === 'confirmed')
      .reduce((s, f) => s + f.lines.reduce((n, l) => n + l.quantity, 0), 0);
    expect(units).toBe(confirmedUnits);
    expect(oracle.deadLetters).toEqual(['bad-1']);
  });
});
