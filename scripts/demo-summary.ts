// The demo's live summary: one line every few seconds with what a newcomer wants to know (orders by
// outcome, dead letters, lag, events/s), so per-event detail can stay in the log files.
import pg from 'pg';

export interface DemoSummary {
  /** order_view's orders by status; null while its table does not exist yet. */
  orders: Record<string, number> | null;
  deadLetters: number;
  lag: number;
  processed: number;
  /** Services whose /metrics did not answer. */
  silent: string[];
}

/** Sums of the runtime's counters over every sample of a Prometheus text exposition. */
export function sumMetrics(text: string): { deadLetters: number; lag: number; processed: number } {
  const sums = { deadLetters: 0, lag: 0, processed: 0 };
  const names: Record<string, keyof typeof sums> = {
    fleet_events_dead_lettered_total: 'deadLetters',
    fleet_consumer_lag: 'lag',
    fleet_events_processed_total: 'processed',
  };
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(?:\{[^}]*\})?\s+(\S+)/.exec(line);
    const key = match?.[1] ? names[match[1]] : undefined;
    const value = Number(match?.[2]);
    if (key && Number.isFinite(value)) sums[key] += value;
  }
  return sums;
}

const outcomes = ['CONFIRMED', 'CANCELLED', 'REJECTED'] as const;

/** `orders 120 placed: 98 confirmed, 12 cancelled, 6 rejected, 4 open · dead letters 0 · lag 3 · 41 events/s` */
export function formatSummary(now: DemoSummary, before: DemoSummary | null, seconds: number): string {
  const parts: string[] = [];
  if (now.orders) {
    const placed = Object.values(now.orders).reduce((a, b) => a + b, 0);
    const open = placed - outcomes.reduce((sum, s) => sum + (now.orders?.[s] ?? 0), 0);
    const shown = outcomes.map((s) => `${now.orders?.[s] ?? 0} ${s.toLowerCase()}`);
    parts.push(`orders ${placed} placed: ${shown.join(', ')}, ${open} open`);
  } else parts.push('orders: order-view has not started yet');
  parts.push(`dead letters ${now.deadLetters}`, `lag ${now.lag}`);
  if (before && seconds > 0)
    parts.push(`${Math.max(0, Math.round((now.processed - before.processed) / seconds))} events/s`);
  if (now.silent.length > 0) parts.push(`no metrics from ${now.silent.join(', ')}`);
  return parts.join(' · ');
}

export async function readSummary(
  pool: pg.Pool,
  services: { name: string; port: number }[],
): Promise<DemoSummary> {
  const summary: DemoSummary = { orders: null, deadLetters: 0, lag: 0, processed: 0, silent: [] };
  try {
    const { rows } = await pool.query<{ status: string; n: string }>(
      'select status, count(*) as n from order_view.order_summaries where placed_at is not null group by status',
    );
    summary.orders = Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  } catch {
    summary.orders = null; // the table appears with order-view's first migration
  }
  await Promise.all(
    services.map(async ({ name, port }) => {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(2000) });
        if (!res.ok) throw new Error(String(res.status));
        const sums = sumMetrics(await res.text());
        summary.deadLetters += sums.deadLetters;
        summary.lag += sums.lag;
        summary.processed += sums.processed;
      } catch {
        summary.silent.push(name);
      }
    }),
  );
  summary.silent.sort();
  return summary;
}

/** Prints a summary line every `everyMs` until the returned function is called. */
export function startSummary(options: {
  databaseUrl: string;
  services: { name: string; port: number }[];
  everyMs: number;
  print: (line: string) => void;
}): () => Promise<void> {
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 1 });
  pool.on('error', () => {}); // a restart of Postgres shows as "not started yet", not a crash
  let before: DemoSummary | null = null;
  let running = false;
  const timer = setInterval(async () => {
    if (running) return;
    running = true;
    try {
      const now = await readSummary(pool, options.services);
      options.print(formatSummary(now, before, options.everyMs / 1000));
      before = now;
    } finally {
      running = false;
    }
  }, options.everyMs);
  return async () => {
    clearInterval(timer);
    await pool.end();
  };
}
