import { seededRandom, seededUuid } from './seeded-random.ts';

export interface OrderLine {
  sku: string;
  quantity: number;
  unitPrice: number;
}

/** One order's story, decided up front so that its outcome can be predicted from the input alone. */
export interface OrderFlow {
  orderId: string;
  customerId: string;
  lines: OrderLine[];
  currency: string;
  /** How the upstream system sends it. */
  via: 'intake' | 'kafka';
  /** The same event sent twice (same Idempotency-Key, or the same event ID on Kafka). */
  duplicate: boolean;
  /**
   * `after`: cancelled right behind the order (it races the saga's other inputs); `overtake`: the
   * cancellation is sent first; `later`: the customer changes their mind a while after ordering,
   * typically once the order is confirmed (the saga then compensates).
   */
  cancel: 'none' | 'after' | 'overtake' | 'later';
}

export interface TrafficMix {
  intakeShare: number;
  duplicateShare: number;
  cancelShare: number;
  overtakeShare: number;
  lateCancelShare: number;
  /** Orders over the payment limit (declined, stock released). */
  overLimitShare: number;
  /** Orders from flagged customers (declined). */
  flaggedShare: number;
  /** Orders for the SKU with no stock (rejected). */
  outOfStockShare: number;
}

export const defaultMix: TrafficMix = {
  intakeShare: 0.5,
  duplicateShare: 0.05,
  cancelShare: 0.05,
  overtakeShare: 0.02,
  lateCancelShare: 0.03,
  overLimitShare: 0.03,
  flaggedShare: 0.03,
  outOfStockShare: 0.03,
};

// The inventory catalogue's deep SKUs (…8: 500, …9: 1000 units each; 7,500 in all): a few thousand
// orders do not exhaust them, so every reservation's outcome is predictable. SKU-000 has no stock.
const stockedSkus = [8, 9].flatMap((last) => [0, 1, 2, 3, 4].map((tens) => `SKU-0${tens}${last}`));
export const outOfStockSku = 'SKU-000';

/** The endless flow of orders for a seed: pure, so the oracle and the sender see the same thing. */
export function* orderFlowStream(seed: number, mix: TrafficMix = defaultMix): Generator<OrderFlow> {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  for (;;) {
    const kind = random();
    const lines: OrderLine[] = Array.from({ length: 1 + Math.floor(random() * 2) }, () => ({
      sku: pick(stockedSkus),
      quantity: 1,
      unitPrice: 100 + Math.floor(random() * 9_900),
    }));
    let customerId = `cust-${Math.floor(random() * 5_000)}`;
    if (kind < mix.overLimitShare) lines[0] = { sku: pick(stockedSkus), quantity: 1, unitPrice: 600_000 };
    else if (kind < mix.overLimitShare + mix.flaggedShare) customerId = `fraud-${Math.floor(random() * 100)}`;
    else if (kind < mix.overLimitShare + mix.flaggedShare + mix.outOfStockShare)
      lines.push({ sku: outOfStockSku, quantity: 1, unitPrice: 1_000 });
    const cancelDraw = random();
    yield {
      orderId: seededUuid(random),
      customerId,
      lines,
      currency: random() < 0.8 ? 'EUR' : 'USD',
      via: random() < mix.intakeShare ? 'intake' : 'kafka',
      duplicate: random() < mix.duplicateShare,
      cancel: cancelKind(cancelDraw, mix),
    };
  }
}

/** One draw decides the cancellation, so adding a kind leaves every other flow of a seed as it was. */
function cancelKind(draw: number, mix: TrafficMix): OrderFlow['cancel'] {
  if (draw < mix.overtakeShare) return 'overtake';
  if (draw < mix.overtakeShare + mix.cancelShare) return 'after';
  if (draw < mix.overtakeShare + mix.cancelShare + mix.lateCancelShare) return 'later';
  return 'none';
}

/** The first `count` flows of a seed. */
export function orderFlows(count: number, seed: number, mix: TrafficMix = defaultMix): OrderFlow[] {
  const flows: OrderFlow[] = [];
  for (const flow of orderFlowStream(seed, mix)) {
    if (flows.length >= count) break;
    flows.push(flow);
  }
  return flows;
}

export const totalCents = (lines: readonly OrderLine[]) =>
  lines.reduce((s, l) => s + l.quantity * l.unitPrice, 0);
