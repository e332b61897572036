import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { InventoryDb } from '../inventory-db.ts';

const skuParams = z.object({ sku: z.string().min(1).max(64) });
const orderParams = z.object({ orderId: z.uuid() });

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

  app.get('/stock/:sku', async (request, reply) => {
    const params = skuParams.safeParse(request.params);
    if (!params.success) return reply.code(400).send({ error: 'sku must be 1 to 64 characters' });
    const row = await db
      .selectFrom('stock')
      .select(['sku', 'available', 'updated_at'])
      .where('sku', '=', params.data.sku)
      .executeTakeFirst();
    if (!row) return reply.code(404).send({ error: `unknown sku ${params.data.sku}` });
    return stockView(row);
  });

  app.get('/reservations/:orderId', async (request, reply) => {
    const params = orderParams.safeParse(request.params);
    if (!params.success) return reply.code(400).send({ error: 'orderId must be a UUID' });
    const row = await db
      .selectFrom('reservations')
      .selectAll()
      .where('order_id', '=', params.data.orderId)
      .executeTakeFirst();
    if (!row) return reply.code(404).send({ error: `no reservation for order ${params.data.orderId}` });
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
