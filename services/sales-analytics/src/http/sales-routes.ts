import { parseRequest } from '@fleet/processor';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { SalesDb } from '../sales-db.ts';

const day = z.iso.date({
  error: (issue) => (issue.input === undefined ? 'is required' : 'must be a date YYYY-MM-DD'),
});
const maxDays = 366;

export const salesQuery = z
  .strictObject({
    from: day,
    to: day,
    sku: z.string().min(1).max(64).optional(),
  })
  .superRefine((q, ctx) => {
    // Only compare two valid days (zod still runs this when a field failed).
    if (!day.safeParse(q.from).success || !day.safeParse(q.to).success) return;
    if (q.from > q.to) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
    else if ((Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 >= maxDays)
      ctx.addIssue({ code: 'custom', path: ['to'], message: `the range may span at most ${maxDays} days` });
  });

/** GET /sales?from=&to=&sku=: revenue and units per UTC day and SKU (and currency), both days inclusive. */
export function salesRoutes(app: FastifyInstance, { db }: { db: Kysely<SalesDb> }): void {
  app.get('/sales', async (req) => {
    // A bad query is a 400 VALIDATION_FAILED naming every field (docs/errors.md).
    const { from, to, sku } = parseRequest(salesQuery, req.query, 'querystring');
    let query = db
      .selectFrom('daily_sku_sales')
      .select(['day', 'sku', 'currency', 'revenue_cents', 'units', 'orders'])
      .where('day', '>=', from)
      .where('day', '<=', to)
      .orderBy('day')
      .orderBy('sku')
      .orderBy('currency');
    if (sku) query = query.where('sku', '=', sku);
    const rows = await query.execute();
    return {
      from,
      to,
      sku: sku ?? null,
      rows: rows.map((r) => ({
        day: toDay(r.day),
        sku: r.sku,
        currency: r.currency,
        revenueCents: Number(r.revenue_cents),
        units: Number(r.units),
        orders: r.orders,
      })),
    };
  });
}

// pg returns a `date` as a Date at local midnight; format it back as the calendar day it is.
function toDay(value: unknown): string {
  if (!(value instanceof Date)) return String(value);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${value.getFullYear()}-${pad(value.getMonth() + 1)}-${pad(value.getDate())}`;
}
