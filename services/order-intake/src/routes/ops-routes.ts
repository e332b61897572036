import type { IntakeMetrics } from '../intake-metrics.ts';
import type { IntakeApp } from './route-context.ts';

/** A named readiness check: resolves when the dependency answers, throws (with a reason) otherwise. */
export type ReadinessCheck = () => Promise<void>;

const checkTimeoutMs = 2_000;

async function runCheck(check: ReadinessCheck): Promise<{ ok: boolean; detail?: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${checkTimeoutMs} ms`)), checkTimeoutMs);
  });
  try {
    await Promise.race([check(), timeout]);
    return { ok: true };
  } catch (error) {
    return { ok: false, detail: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

/** Health, readiness, metrics and the OpenAPI document: outside rate limits and the API document. */
export function opsRoutes(
  app: IntakeApp,
  deps: { readinessChecks: Record<string, ReadinessCheck>; metrics: IntakeMetrics },
): void {
  const ops = { config: { rateLimit: false }, schema: { hide: true } } as const;
  app.get('/healthz', ops, async () => ({ status: 'ok' }));
  app.get('/readyz', ops, async (_request, reply) => {
    const entries = await Promise.all(
      Object.entries(deps.readinessChecks).map(
        async ([name, check]) => [name, await runCheck(check)] as const,
      ),
    );
    const checks = Object.fromEntries(entries);
    const ready = entries.every(([, c]) => c.ok);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks });
  });
  app.get('/metrics', ops, async (_request, reply) => {
    const text = await deps.metrics.registry.metrics();
    return reply.type(deps.metrics.registry.contentType).send(text);
  });
  app.get('/openapi.json', ops, async () => app.swagger());
}
