import { sql, type Transaction } from 'kysely';
import type { InventoryDb, ReservedLine } from './inventory-db.ts';

export interface ShortLine {
  sku: string;
  requested: number;
  available: number;
  /** The SKU is not in the catalogue at all. */
  unknown: boolean;
}

/** Locks the lines' stock rows in SKU order (lines are sorted) and returns what each holds now. */
const lockStock = (db: Transaction<InventoryDb>, lines: ReservedLine[]) =>
  lockSkus(
    db,
    lines.map((l) => l.sku),
  );

/** Locks these SKUs' stock rows in SKU order; returns what each holds now (unknown SKUs are absent). */
export async function lockSkus(
  db: Transaction<InventoryDb>,
  skus: readonly string[],
): Promise<Map<string, number>> {
  if (skus.length === 0) return new Map();
  const rows = await db
    .selectFrom('stock')
    .select(['sku', 'available'])
    .where('sku', 'in', skus)
    .orderBy('sku')
    .forUpdate()
    .execute();
  return new Map(rows.map((r) => [r.sku, r.available]));
}

const unnestLines = (lines: ReservedLine[]) =>
  sql`unnest(${lines.map((l) => l.sku)}::text[], ${lines.map((l) => l.quantity)}::int[])`;

/**
 * Takes every line or none. The rows are locked first, so the guarded decrement sees the latest
 * committed stock: of two orders for the last unit, the second waits, then finds it short.
 * Returns the short lines (empty when the stock was taken).
 */
export async function takeStock(db: Transaction<InventoryDb>, lines: ReservedLine[]): Promise<ShortLine[]> {
  const available = await lockStock(db, lines);
  const short = lines
    .filter((l) => (available.get(l.sku) ?? 0) < l.quantity)
    .map((l) => ({
      sku: l.sku,
      requested: l.quantity,
      available: available.get(l.sku) ?? 0,
      unknown: !available.has(l.sku),
    }));
  if (short.length > 0) return short;
  // The guard `available >= qty` (and the check constraint) keep stock >= 0 even if a caller skipped the lock.
  const result = await sql`
    update stock s set available = s.available - w.qty, updated_at = now()
    from ${unnestLines(lines)} as w(sku, qty)
    where s.sku = w.sku and s.available >= w.qty`.execute(db);
  if (Number(result.numAffectedRows ?? 0) !== lines.length)
    throw new Error(
      `stock changed under a lock: ${result.numAffectedRows} of ${lines.length} lines decremented`,
    );
  return [];
}

/** Gives reserved lines back to stock (rows locked in SKU order first, like takeStock). */
export async function returnStock(db: Transaction<InventoryDb>, lines: ReservedLine[]): Promise<void> {
  const available = await lockStock(db, lines);
  const missing = lines.filter((l) => !available.has(l.sku));
  if (missing.length > 0)
    throw new Error(`cannot return stock of SKUs missing from the catalogue: ${missing.map((l) => l.sku)}`);
  await sql`
    update stock s set available = s.available + w.qty, updated_at = now()
    from ${unnestLines(lines)} as w(sku, qty)
    where s.sku = w.sku`.execute(db);
}
