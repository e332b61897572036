import { initialCatalogue } from '@fleet/inventory/catalogue';
import { defaultRulesFile, loadPaymentRules } from '@fleet/payments/load-payment-rules';
import { PaymentDecider } from '@fleet/payments/payment-decider';
import { type OrderFlow, outOfStockSku, totalCents } from './order-flows.ts';

export type ExpectedStatus = 'confirmed' | 'rejected' | 'declined' | 'cancelled';

/** What the fleet must show once idle, computed from the input alone. */
export interface Oracle {
  orders: Record<string, ExpectedStatus>;
  /** Available units per SKU after every flow (stock is only kept by confirmed orders). */
  stock: Record<string, number>;
  /** Revenue (cents) and units per SKU over confirmed orders. */
  sales: Record<string, { revenueCents: number; units: number }>;
  /** Event IDs of the bad records, which must be in the dead-letter topics and nowhere else. */
  deadLetters: string[];
}

/**
 * The business rules as the services apply them: the inventory's catalogue (the generator orders only
 * SKUs deep enough never to run out, or the empty one), the payment rules file through the payments
 * service's own decider, and the saga (cancelled wins; else rejected, declined or confirmed).
 */
export async function oracleOf(
  flows: readonly OrderFlow[],
  deadLetters: readonly string[] = [],
  rulesFile = defaultRulesFile,
): Promise<Oracle> {
  const decider = new PaymentDecider(loadPaymentRules(rulesFile));
  const stock = Object.fromEntries(initialCatalogue.map((c) => [c.sku, c.available]));
  // Outcomes are predictable only while every order could be served whatever the processing order
  // (reservations of orders declined later hold stock for a while too).
  const demand: Record<string, number> = {};
  for (const flow of flows) for (const l of flow.lines) demand[l.sku] = (demand[l.sku] ?? 0) + l.quantity;
  const short = Object.entries(demand).filter(
    ([sku, units]) => sku !== outOfStockSku && units > (stock[sku] ?? 0),
  );
  if (short.length > 0)
    throw new Error(
      `no oracle: the orders ask more than the stock of ${short.map(([sku]) => sku).join(', ')}; send fewer orders`,
    );
  const orders: Record<string, ExpectedStatus> = {};
  const sales: Record<string, { revenueCents: number; units: number }> = {};
  for (const flow of flows) {
    const status = await expectedStatus(flow, decider);
    orders[flow.orderId] = status;
    if (status !== 'confirmed') continue;
    for (const line of flow.lines) {
      stock[line.sku] = (stock[line.sku] ?? 0) - line.quantity;
      const s = sales[line.sku] ?? { revenueCents: 0, units: 0 };
      sales[line.sku] = {
        revenueCents: s.revenueCents + line.quantity * line.unitPrice,
        units: s.units + line.quantity,
      };
    }
  }
  return { orders, stock, sales, deadLetters: [...deadLetters] };
}

async function expectedStatus(flow: OrderFlow, decider: PaymentDecider): Promise<ExpectedStatus> {
  if (flow.cancel !== 'none') return 'cancelled';
  if (flow.lines.some((l) => l.sku === outOfStockSku)) return 'rejected';
  const verdict = await decider.decide({
    orderId: flow.orderId,
    customerId: flow.customerId,
    totalCents: totalCents(flow.lines),
    currency: flow.currency,
  });
  return verdict.decision === 'declined' ? 'declined' : 'confirmed';
}
