import { describe, expect, it } from 'vitest';
import { type ProcessorStatus, renderStatus } from './commands/status-command.ts';
import {
  formatCpu,
  formatMemory,
  parseResourceMetrics,
  readInstanceResources,
} from './instance-resources.ts';

const exposition = (
  rss: number,
  cpu: number,
) => `# HELP process_resident_memory_bytes Resident memory of this instance
# TYPE process_resident_memory_bytes gauge
process_resident_memory_bytes{processor="inventory"} ${rss}
# TYPE process_cpu_seconds_total counter
process_cpu_seconds_total{processor="inventory"} ${cpu}
fleet_consumer_lag{topic="orders",partition="0"} 3
`;

const status = (resources: ProcessorStatus['instances']['resources']): ProcessorStatus => ({
  processor: 'inventory',
  groupId: 'inventory',
  schema: 'inventory',
  topics: ['orders'],
  dlqTopic: 'inventory.dlq',
  dedupeWindowHours: 168,
  replay: false,
  group: { state: 'Stable', members: [] },
  instances: { total: 1, alive: 1, paused: 0, ids: resources.map((r) => r.instanceId), resources },
  lag: { total: 0, partitions: [] },
  ratePerSecond: 0,
  outbox: { count: 0, oldestAgeSeconds: 0 },
  dlqCount: 0,
  lastError: null,
  problems: [],
});

describe('an instance’s memory and CPU in fleet status', () => {
  it('reads RSS and CPU seconds from a Prometheus exposition, and nothing else', () => {
    expect(parseResourceMetrics(exposition(150_000_000, 12.5))).toEqual({
      rssBytes: 150_000_000,
      cpuSeconds: 12.5,
    });
    expect(parseResourceMetrics('fleet_consumer_lag 3\n')).toEqual({ rssBytes: null, cpuSeconds: null });
  });

  it('formats memory in MB and CPU in % of one core, n/a when unknown', () => {
    expect(formatMemory(150 * 1024 * 1024)).toBe('150.0 MB');
    expect(formatMemory(null)).toBe('n/a');
    expect(formatCpu(37.4)).toBe('37%');
    expect(formatCpu(0.25)).toBe('0.3%');
    expect(formatCpu(null)).toBe('n/a');
  });

  it('takes the CPU rate from two readings and says why an instance has no figures', async () => {
    const cpu = [10, 10.5];
    const fake = (async (url: string) => {
      if (url.startsWith('http://gone')) throw new Error('connect ECONNREFUSED');
      return new Response(exposition(100 * 1024 * 1024, cpu.shift() ?? 0));
    }) as typeof fetch;
    const [up, gone, headless] = await readInstanceResources(
      [
        { instanceId: 'a', httpAddress: 'http://127.0.0.1:8102' },
        { instanceId: 'b', httpAddress: 'http://gone:1' },
        { instanceId: 'c', httpAddress: null },
      ],
      { intervalMs: 50, fetch: fake },
    );
    expect(up?.rssBytes).toBe(100 * 1024 * 1024);
    // 0.5 CPU seconds over ≈ 50 ms: far more than a core, which is what the arithmetic must say.
    expect(up?.cpuPercent).toBeGreaterThan(100);
    expect(up?.problem).toBeNull();
    expect(gone).toMatchObject({ rssBytes: null, cpuPercent: null });
    expect(gone?.problem).toContain('ECONNREFUSED');
    expect(headless?.problem).toBe('no HTTP server');
  });

  it('shows one row per live instance, and the problems of those without figures', () => {
    const text = renderStatus([
      status([
        {
          instanceId: 'inventory-1',
          httpAddress: 'http://127.0.0.1:8102',
          rssBytes: 141.3 * 1024 * 1024,
          cpuPercent: 12.2,
          problem: null,
        },
        {
          instanceId: 'inventory-2',
          httpAddress: null,
          rssBytes: null,
          cpuPercent: null,
          problem: 'no HTTP server',
        },
      ]),
    ]);
    expect(text).toMatch(/│ inventory +│ inventory-1 +│ 141\.3 MB │ 12% +│/);
    expect(text).toMatch(/│ inventory +│ inventory-2 +│ n\/a +│ n\/a +│/);
    expect(text).toContain('! inventory-2: no HTTP server');
  });
});
