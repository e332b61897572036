import { FleetError } from '@fleet/processor';
import type { FastifyInstance } from 'fastify';
import { type Kysely, sql } from 'kysely';
import type { LifecycleDb } from '../lifecycle-db.ts';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Operator views: one saga with its anomalies, and anomaly counts by kind (what a metric would show). */
export function sagaRoutes(app: FastifyInstance, { db }: { db: Kysely<LifecycleDb> }): void {
  app.get<{ Params: { orderId: string } }>('/sagas/:orderId', async (req) => {
    const { orderId } = req.params;
    if (!uuid.test(orderId))
      throw new FleetError('VALIDATION_FAILED', 'invalid params: orderId: must be a UUID', {
        details: [{ path: 'params.orderId', message: 'must be a UUID' }],
      });
    const saga = await db
      .selectFrom('order_sagas')
      .select(['order_id', 'state', 'snapshot', 'version', 'updated_at'])
      .where('order_id', '=', orderId)
      .executeTakeFirst();
    if (!saga) throw new FleetError('NOT_FOUND', `no saga for order ${orderId}`);
    const anomalies = await db
      .selectFrom('saga_anomalies')
      .select(['kind', 'state', 'event_type', 'event_id', 'detail', 'recorded_at'])
      .where('order_id', '=', orderId)
      .orderBy('id')
      .execute();
    const { context } = saga.snapshot as { context: unknown };
    return {
      orderId: saga.order_id,
      state: saga.state,
      version: saga.version,
      updatedAt: saga.updated_at,
      context,
      anomalies,
    };
  });

  app.get('/anomalies', async () => {
    const rows = await db
      .selectFrom('saga_anomalies')
      .select(['kind', sql<number>`count(*)::int`.as('count'), sql<Date>`max(recorded_at)`.as('last')])
      .groupBy('kind')
      .orderBy('kind')
      .execute();
    return { anomalies: rows };
  });
}
