// Each live instance's own memory and CPU, read from its /metrics (the runtime exposes
// process_resident_memory_bytes and process_cpu_seconds_total, as Prometheus' process collectors name them).

export interface InstanceResources {
  instanceId: string;
  httpAddress: string | null;
  /** Resident memory; null when /metrics did not answer or does not expose it. */
  rssBytes: number | null;
  /** CPU used over the sampling interval, in % of one core; null without two readings. */
  cpuPercent: number | null;
  /** Why the figures are missing (no HTTP server, unreachable, no such metric). */
  problem: string | null;
}

export interface ResourceReading {
  rssBytes: number | null;
  cpuSeconds: number | null;
}

/** The two figures from a Prometheus text exposition (summed over samples; null when absent). */
export function parseResourceMetrics(text: string): ResourceReading {
  const sums: Record<string, number | null> = {
    process_resident_memory_bytes: null,
    process_cpu_seconds_total: null,
  };
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{[^}]*\})?\s+(\S+)/.exec(line);
    const name = match?.[1];
    const value = Number(match?.[2]);
    if (name && name in sums && Number.isFinite(value)) sums[name] = (sums[name] ?? 0) + value;
  }
  return {
    rssBytes: sums.process_resident_memory_bytes ?? null,
    cpuSeconds: sums.process_cpu_seconds_total ?? null,
  };
}

export interface ReadResourcesOptions {
  /** Between the two readings that give the CPU rate. */
  intervalMs?: number;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

async function scrape(url: string, options: Required<ReadResourcesOptions>): Promise<ResourceReading> {
  const response = await options.fetch(url, { signal: AbortSignal.timeout(options.timeoutMs) });
  if (!response.ok) throw new Error(`/metrics answered ${response.status}`);
  return parseResourceMetrics(await response.text());
}

/** Reads every instance's /metrics twice, `intervalMs` apart, all instances at once. */
export async function readInstanceResources(
  instances: { instanceId: string; httpAddress: string | null }[],
  options: ReadResourcesOptions = {},
): Promise<InstanceResources[]> {
  const o: Required<ReadResourcesOptions> = {
    intervalMs: options.intervalMs ?? 1000,
    timeoutMs: options.timeoutMs ?? 2000,
    fetch: options.fetch ?? fetch,
  };
  return Promise.all(
    instances.map(async ({ instanceId, httpAddress }): Promise<InstanceResources> => {
      const missing = (problem: string) => ({
        instanceId,
        httpAddress,
        rssBytes: null,
        cpuPercent: null,
        problem,
      });
      if (!httpAddress) return missing('no HTTP server');
      const url = `${httpAddress.replace(/\/$/, '')}/metrics`;
      try {
        const first = await scrape(url, o);
        const startedAt = performance.now();
        await new Promise((r) => setTimeout(r, o.intervalMs));
        const second = await scrape(url, o);
        const seconds = (performance.now() - startedAt) / 1000;
        const cpuPercent =
          first.cpuSeconds !== null && second.cpuSeconds !== null && seconds > 0
            ? Math.max(0, ((second.cpuSeconds - first.cpuSeconds) / seconds) * 100)
            : null;
        return {
          instanceId,
          httpAddress,
          rssBytes: second.rssBytes,
          cpuPercent,
          problem: second.rssBytes === null ? 'no process_resident_memory_bytes in /metrics' : null,
        };
      } catch (error) {
        return missing(`${url}: ${(error as Error).message}`);
      }
    }),
  );
}

/** `143.2 MB` (MiB, as RSS limits are usually given); `n/a` when unknown. */
export function formatMemory(bytes: number | null): string {
  return bytes === null ? 'n/a' : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** `12%` of one core (`0.4%` below 1); `n/a` when unknown. */
export function formatCpu(percent: number | null): string {
  if (percent === null) return 'n/a';
  return percent < 1 ? `${percent.toFixed(1)}%` : `${Math.round(percent)}%`;
}
