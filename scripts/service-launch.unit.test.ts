import { describe, expect, it } from 'vitest';
import { budgetFrom, DEMO_MEMORY_BUDGET_MB, serviceArgs } from './service-launch.ts';

describe('how ./fleetw start starts a service', () => {
  it('runs the compiled main with the compiled condition and the budget’s heap limits', () => {
    expect(serviceArgs('inventory', { compiled: true, budgetMb: 160 })).toEqual([
      '--max-old-space-size=55',
      '--max-semi-space-size=2',
      '--conditions=compiled',
      'services/inventory/dist/main.js',
    ]);
  });

  it('runs the sources with V8’s defaults when asked for neither', () => {
    expect(serviceArgs('payments', { compiled: false })).toEqual(['services/payments/src/main.ts']);
  });

  it('takes the budget from PROCESSOR_MEMORY_BUDGET_MB, else the demo’s', () => {
    expect(budgetFrom({ PROCESSOR_MEMORY_BUDGET_MB: '256' })).toBe(256);
    expect(budgetFrom({ PROCESSOR_MEMORY_BUDGET_MB: '' })).toBe(DEMO_MEMORY_BUDGET_MB);
    expect(budgetFrom({})).toBe(DEMO_MEMORY_BUDGET_MB);
  });

  it('refuses a budget too small to hold a service, saying what it needs', () => {
    expect(() => serviceArgs('inventory', { compiled: true, budgetMb: 100 })).toThrow(/at least \d+ MB/);
    const typo = budgetFrom({ PROCESSOR_MEMORY_BUDGET_MB: '160MB' });
    expect(() => serviceArgs('inventory', { compiled: true, budgetMb: typo })).toThrow(/NaN MB .* at least/);
  });
});
