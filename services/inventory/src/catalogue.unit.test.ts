import { describe, expect, it } from 'vitest';
import { initialCatalogue } from './catalogue.ts';

describe('initialCatalogue', () => {
  it('holds SKU-000 … SKU-049 with quantities by the last digit', () => {
    expect(initialCatalogue).toHaveLength(50);
    expect(initialCatalogue[0]).toEqual({ sku: 'SKU-000', available: 0 });
    expect(initialCatalogue[1]).toEqual({ sku: 'SKU-001', available: 1 });
    expect(initialCatalogue[9]).toEqual({ sku: 'SKU-009', available: 1000 });
    expect(initialCatalogue[23]).toEqual({ sku: 'SKU-023', available: 5 });
    expect(initialCatalogue[49]).toEqual({ sku: 'SKU-049', available: 1000 });
    expect(initialCatalogue.reduce((s, r) => s + r.available, 0)).toBe(5 * 1688);
  });
});
