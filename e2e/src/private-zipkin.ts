import { type StartedZipkin, startZipkin } from '@fleet/testkit';

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
 * A Zipkin server of the test's own (testkit's startZipkin: the native launcher, another port, a
 * temporary state dir), traces in memory, with the queries the traces test asks of it.
 */
export async function startPrivateZipkin(port: number) {
  const zipkin: StartedZipkin = await startZipkin({ port });
  const get = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${zipkin.url}${path}`);
    if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  return {
    url: zipkin.url,
    /** Where services send their spans (OTEL_EXPORTER_ZIPKIN_ENDPOINT). */
    spansEndpoint: zipkin.spansEndpoint,
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
    stop: () => zipkin.stop(),
  };
}

export type PrivateZipkin = Awaited<ReturnType<typeof startPrivateZipkin>>;
