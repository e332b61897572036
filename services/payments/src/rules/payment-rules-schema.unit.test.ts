import { describe, expect, it } from 'vitest';
import { loadPaymentRules, PaymentRulesError } from './load-payment-rules.ts';
import { paymentRulesSchema } from './payment-rules-schema.ts';

const problemsOf = (input: unknown) => {
  const parsed = paymentRulesSchema.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

const rule = (overrides: Record<string, unknown> = {}) => ({
  name: 'amount-limit',
  priority: 10,
  conditions: { all: [{ fact: 'totalCents', operator: 'greaterThan', value: 100 }] },
  event: { type: 'decline', params: { code: 'INSUFFICIENT_FUNDS' } },
  ...overrides,
});

describe('payment rules validation', () => {
  it('accepts a valid file', () => {
    expect(problemsOf({ rules: [rule()] })).toEqual([]);
    expect(problemsOf({ rules: [] })).toEqual([]);
  });

  it.each([
    [
      'an unknown decline code',
      rule({ event: { type: 'decline', params: { code: 'NOPE' } } }),
      'rules.0.event.params.code',
    ],
    ['a decline without a code', rule({ event: { type: 'decline' } }), 'rules.0.event.params'],
    ['an unknown event type', rule({ event: { type: 'approve' } }), 'rules.0.event.type'],
    ['a bad name', rule({ name: 'Amount Limit' }), 'rules.0.name'],
    ['no priority', rule({ priority: undefined }), 'rules.0.priority'],
    ['a typo in a key', rule({ prority: 3 }), 'rules.0'],
    [
      'conditions that are not all/any/not',
      rule({ conditions: { fact: 'currency', operator: 'equal', value: 'EUR' } }),
      'rules.0.conditions',
    ],
  ])('rejects %s, naming where', (_, bad, where) => {
    const problems = problemsOf({ rules: [bad] });
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.some((p) => p.startsWith(where))).toBe(true);
  });

  it('rejects unknown facts and operators inside conditions', () => {
    expect(
      problemsOf({
        rules: [rule({ conditions: { all: [{ fact: 'amount', operator: 'greaterThan', value: 1 }] } })],
      }),
    ).not.toEqual([]);
    expect(
      problemsOf({
        rules: [rule({ conditions: { all: [{ fact: 'totalCents', operator: 'gt', value: 1 }] } })],
      }),
    ).not.toEqual([]);
  });

  it('rejects duplicate rule names', () => {
    expect(problemsOf({ rules: [rule(), rule()] })).toEqual([
      'rules.1.name: duplicate rule name amount-limit',
    ]);
  });

  it('reports a file it cannot read as a PaymentRulesError naming the file', () => {
    expect(() => loadPaymentRules('/nonexistent/payment-rules.json')).toThrow(PaymentRulesError);
    expect(() => loadPaymentRules('/nonexistent/payment-rules.json')).toThrow(
      /\/nonexistent\/payment-rules.json .*cannot read/s,
    );
  });
});
