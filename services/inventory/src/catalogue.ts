/** Units per SKU by the last digit of its number: SKU-000 has none, SKU-001 one, SKU-009 a thousand. */
export const quantityByLastDigit = [0, 1, 2, 5, 10, 20, 50, 100, 500, 1000] as const;

/** SKU-000 … SKU-049. */
export const CATALOGUE_SIZE = 50;

export const skuOf = (n: number) => `SKU-${String(n).padStart(3, '0')}`;

/**
 * The fixed initial catalogue the seed migration loads, so the fleet and its tests can predict every
 * reservation. Changing it changes nothing in an existing database: adjust stock with a new migration.
 */
export const initialCatalogue: readonly { sku: string; available: number }[] = Array.from(
  { length: CATALOGUE_SIZE },
  (_, n) => ({ sku: skuOf(n), available: quantityByLastDigit[n % 10] ?? 0 }),
);
