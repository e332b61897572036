import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const launcher = new URL('../../infra/native/infra.sh', import.meta.url).pathname;

/** One span as Zipkin's v2 API returns it. */
export interface ZipkinSpan {
  traceId: string;
  id: string;
  parentId?: string;
  name: string;
  kind?: 'CLIENT' | 'SERVER' | 'PRODUCER' | 'CONSUMER';
  timestamp: number;
  duration?: number;
  localEndpoint?: { serviceName?: string };
  tags?: Record<string, string>;
}

/**
 * A Zipkin server of the test's own (the native launcher, another port, a temporary state dir; the
 * jar comes from the shared cache, fetched from Maven Central the first time): traces in memory.
 */
export function startPrivateZipkin(port: number) {
  const stateDir = mkdtempSync(join(tmpdir(), 'fleet-zipkin-'));
  const env = { ...process.env, FLEET_STATE_DIR: stateDir, ZIPKIN_PORT: String(port) };
  const up = spawnSync('bash', [launcher, 'up', 'zipkin'], { env, encoding: 'utf8' });
  if (up.status !== 0) throw new Error(`the private Zipkin did not start:\n${up.stdout}\n${up.stderr}`);
  const url = `http://127.0.0.1:${port}`;
  const get = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${url}${path}`);
    if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  return {
    url,
    /** Where services send their spans (OTEL_EXPORTER_ZIPKIN_ENDPOINT). */
    spansEndpoint: `${url}/api/v2/spans`,
    /** The traces with a span matching `annotationQuery` (e.g. `fleet.correlation_id=…`), of any service. */
    traces: (annotationQuery: string, serviceName?: string) =>
      get<ZipkinSpan[][]>(
        `/api/v2/traces?${new URLSearchParams({
          annotationQuery,
          ...(serviceName ? { serviceName } : {}),
          lookback: String(3_600_000),
          limit: '100',
        })}`,
      ),
    trace: (traceId: string) => get<ZipkinSpan[]>(`/api/v2/trace/${traceId}`),
    services: () => get<string[]>('/api/v2/services'),
    stop() {
      spawnSync('bash', [launcher, 'down', 'zipkin'], { env, stdio: 'ignore' });
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
