import { describe, expect, it } from 'vitest';
import { defaultRulesFile, loadPaymentRules } from './load-payment-rules.ts';
import { PaymentDecider } from './payment-decider.ts';
import type { PaymentRules } from './payment-rules-schema.ts';

const facts = (customerId: string, totalCents: number, currency = 'EUR') => ({
  orderId: '3f2c9a4e-8b1d-4c6f-9e2a-7d5b1c0e4f21',
  customerId,
  totalCents,
  currency,
});

describe('PaymentDecider with the shipped rules', () => {
  const decider = new PaymentDecider(loadPaymentRules(defaultRulesFile));

  it.each([
    ['an ordinary order', facts('cust-1', 3448), { decision: 'authorized', rule: 'default' }],
    ['exactly the limit', facts('cust-1', 500000), { decision: 'authorized', rule: 'default' }],
    [
      'above the limit',
      facts('cust-1', 500001),
      { decision: 'declined', rule: 'amount-limit', code: 'INSUFFICIENT_FUNDS' },
    ],
    [
      'a fraud- customer',
      facts('fraud-42', 100),
      { decision: 'declined', rule: 'flagged-customer', code: 'FRAUD_SUSPECTED' },
    ],
    [
      'a listed customer',
      facts('cust-666', 100),
      { decision: 'declined', rule: 'flagged-customer', code: 'FRAUD_SUSPECTED' },
    ],
    [
      'a currency not allowed',
      facts('cust-1', 100, 'JPY'),
      { decision: 'declined', rule: 'currency-not-allowed', code: 'PROVIDER_ERROR' },
    ],
    [
      'several rules at once: the highest priority decides',
      facts('fraud-1', 900000, 'JPY'),
      { decision: 'declined', rule: 'flagged-customer', code: 'FRAUD_SUSPECTED' },
    ],
  ])('%s', async (_, input, expected) => {
    expect(await decider.decide(input)).toEqual(expected);
    expect(await decider.decide(input)).toEqual(expected); // the same input, the same decision
  });
});

describe('PaymentDecider priorities', () => {
  const rules: PaymentRules = {
    rules: [
      {
        name: 'small-orders-declined',
        priority: 5,
        conditions: { all: [{ fact: 'totalCents', operator: 'lessThan', value: 100 }] },
        event: { type: 'decline', params: { code: 'PROVIDER_ERROR' } },
      },
      {
        name: 'vip-always-authorized',
        priority: 50,
        conditions: { any: [{ fact: 'customerId', operator: 'startsWith', value: 'vip-' }] },
        event: { type: 'authorize' },
      },
      {
        name: 'tiny-orders-declined',
        priority: 5,
        conditions: { not: { fact: 'totalCents', operator: 'greaterThan', value: 10 } },
        event: { type: 'decline', params: { code: 'CARD_EXPIRED' } },
      },
    ],
  };
  const decider = new PaymentDecider(rules);

  it('lets an authorize rule of higher priority override declines', async () => {
    expect(await decider.decide(facts('vip-1', 5))).toEqual({
      decision: 'authorized',
      rule: 'vip-always-authorized',
    });
  });

  it('breaks ties by the order of the rules in the file', async () => {
    expect(await decider.decide(facts('cust-1', 5))).toMatchObject({ rule: 'small-orders-declined' });
    const reversed = new PaymentDecider({ rules: [...rules.rules].reverse() });
    expect(await reversed.decide(facts('cust-1', 5))).toMatchObject({ rule: 'tiny-orders-declined' });
  });
});
