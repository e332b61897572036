// Regenerates docs/trace.png: one order's trace in Zipkin's UI, shot with headless Chromium.
//   ./fleetw start --traces          (in another terminal: the fleet, sending its spans to Zipkin)
//   node scripts/screenshot-trace.ts [--out docs/trace.png] [--cancel]
// Places one order through the intake with a correlation ID of its own (--cancel: and cancels it once
// confirmed, shooting the cancellation's trace), waits until its trace in Zipkin holds all six
// services and stops growing, then opens the trace page in `chromium --headless --screenshot`.
// Chromium is Debian's (`apt-get install -y chromium`); CHROMIUM names another binary.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    out: { type: 'string', default: 'docs/trace.png' },
    intake: { type: 'string', default: process.env.INTAKE_URL || 'http://127.0.0.1:8101' },
    view: { type: 'string', default: 'http://127.0.0.1:8105' },
    zipkin: { type: 'string', default: `http://127.0.0.1:${process.env.ZIPKIN_PORT || '9411'}` },
    cancel: { type: 'boolean', default: false },
    width: { type: 'string', default: '1600' },
    height: { type: 'string', default: '1450' },
  },
});
const services = [
  'order-intake',
  'inventory',
  'payments',
  'order_lifecycle',
  'order_view',
  'sales_analytics',
];
const chromium = process.env.CHROMIUM || 'chromium';

const fail = (message: string): never => {
  console.error(`screenshot-trace: ${message}`);
  process.exit(1);
};

async function post(path: string, body: unknown, correlationId: string): Promise<void> {
  const response = await fetch(`${args.intake}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-correlation-id': correlationId,
      // The demo key ./fleetw start provisions, unless INTAKE_API_KEY names another.
      'x-api-key': process.env.INTAKE_API_KEY || 'oik_demo-local-only-not-a-secret',
    },
    body: JSON.stringify(body),
  }).catch((error: Error) =>
    fail(
      `the intake does not answer at ${args.intake} (${error.message}): run ./fleetw start --traces first`,
    ),
  );
  if (response.status !== 202) fail(`POST ${path} answered ${response.status}: ${await response.text()}`);
}

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) return fail(`timed out waiting for ${what}`);
    await sleep(1_000);
  }
}

const status = async (orderId: string) => {
  const response = await fetch(`${args.view}/orders/${orderId}`);
  return response.ok ? ((await response.json()) as { status: string }).status : undefined;
};

interface Span {
  id: string;
  traceId: string;
  localEndpoint?: { serviceName?: string };
}

/** The flow's trace ID once the trace holds all six services and has stopped growing. */
async function completeTrace(correlationId: string): Promise<{ traceId: string; spans: number }> {
  let last = -1;
  return until(`the trace of ${correlationId} in Zipkin`, async () => {
    const query = new URLSearchParams({
      annotationQuery: `fleet.correlation_id=${correlationId}`,
      limit: '10',
    });
    const traces = (await (await fetch(`${args.zipkin}/api/v2/traces?${query}`)).json()) as Span[][];
    const spans = traces[0];
    if (!spans || traces.length !== 1) return undefined;
    const here = new Set(spans.map((s) => s.localEndpoint?.serviceName));
    const complete = services.every((s) => here.has(s)) && spans.length === last;
    last = spans.length;
    return complete ? { traceId: spans[0]?.traceId as string, spans: spans.length } : undefined;
  });
}

if (
  !(await fetch(`${args.zipkin}/health`)
    .then((r) => r.ok)
    .catch(() => false))
)
  fail(`Zipkin does not answer at ${args.zipkin}: run ./fleetw start --traces (or ./fleetw infra up zipkin)`);

const orderId = randomUUID();
const placed = `trace-demo-${orderId.slice(0, 8)}`;
await post(
  '/orders',
  {
    orderId,
    customerId: 'cust-4711',
    lines: [
      { sku: 'SKU-009', quantity: 1, unitPrice: 2_499 },
      { sku: 'SKU-019', quantity: 2, unitPrice: 650 },
    ],
    currency: 'EUR',
  },
  placed,
);
await until(`order ${orderId} to be confirmed`, async () =>
  (await status(orderId)) === 'CONFIRMED' ? true : undefined,
);
let correlationId = placed;
if (args.cancel) {
  correlationId = `trace-demo-cancel-${orderId.slice(0, 8)}`;
  await post(`/orders/${orderId}/cancel`, { reason: 'changed my mind' }, correlationId);
  await until(`order ${orderId} to be cancelled`, async () =>
    (await status(orderId)) === 'CANCELLED' ? true : undefined,
  );
}
const { traceId, spans } = await completeTrace(correlationId);
const page = `${args.zipkin}/zipkin/traces/${traceId}`;
const out = resolve(args.out);
mkdirSync(dirname(out), { recursive: true });
const shot = spawnSync(
  chromium,
  [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--hide-scrollbars',
    '--force-device-scale-factor=1',
    `--window-size=${args.width},${args.height}`,
    // The UI is a single-page app: give its scripts (and the trace's fetch) time to render.
    '--virtual-time-budget=15000',
    `--screenshot=${out}`,
    page,
  ],
  { encoding: 'utf8', timeout: 120_000 },
);
if (shot.error || shot.status !== 0)
  fail(`${chromium} failed (${shot.error?.message ?? `exit ${shot.status}`}): ${shot.stderr.slice(-2_000)}`);
console.log(`screenshot-trace: order ${orderId}, trace ${traceId} (${spans} spans) → ${out}\n  ${page}`);
