import { FleetError, parseRequest } from '@fleet/processor';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { InventoryDb } from '../inventory-db.ts';

const skuParams = z.object({ sku: z.string().min(1).max(64, 'must be 1 to 64 characters') });
const orderParams = z.object({ orderId: z.uuid('must be a UUID') });

/** Read-only views for operators and tests: stock levels and the reservation of an order. */
export function stockRoutes(app: FastifyInstance, { db }: { db: Kysely<InventoryDb> }): void {
  app.get('/stock', async () => {
    const items = await db
      .selectFrom('stock')
      .select(['sku', 'available', 'updated_at'])
      .orderBy('sku')
      .execute();
    return { items: items.map(stockView) };
  });

  app.get('/stock/:sku', async (request) => {
    const { sku } = parseRequest(skuParams, request.params, 'params');
    const row = await db
      .selectFrom('stock')
      .select(['sku', 'available', 'updated_at'])
      .where('sku', '=', sku)
      .executeTakeFirst();
    if (!row) throw new FleetError('NOT_FOUND', `unknown sku ${sku}`);
    return stockView(row);
  });

  app.get('/reservations/:orderId', async (request) => {
    const { orderId } = parseRequest(orderParams, request.params, 'params');
    const row = await db
      .selectFrom('reservations')
      .selectAll()
      .where('order_id', '=', orderId)
      .executeTakeFirst();
    if (!row) throw new FleetError('NOT_FOUND', `no reservation for order ${orderId}`);
    return {
      orderId: row.order_id,
      reservationId: row.reservation_id,
      status: row.status,
      lines: row.lines,
      reason: row.reason,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  });
}

const stockView = (row: { sku: string; available: number; updated_at: Date }) => ({
  sku: row.sku,
  available: row.available,
  updatedAt: row.updated_at,
});
