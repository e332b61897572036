/** One sample of the Prometheus text exposition: a metric name, its labels, its value. */
export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const line = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const label = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parses the samples of a /metrics answer (comments and malformed lines are skipped). */
export function parseMetrics(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const raw of text.split('\n')) {
    const l = raw.trim();
    if (!l || l.startsWith('#')) continue;
    const m = line.exec(l);
    if (!m?.[1] || m[3] === undefined) continue;
    const value = m[3] === '+Inf' ? Number.POSITIVE_INFINITY : m[3] === '-Inf' ? -Infinity : Number(m[3]);
    if (Number.isNaN(value) && m[3] !== 'NaN') continue;
    const labels: Record<string, string> = {};
    for (const lm of (m[2] ?? '').matchAll(label))
      if (lm[1] !== undefined && lm[2] !== undefined)
        labels[lm[1]] = lm[2].replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    samples.push({ name: m[1], labels, value });
  }
  return samples;
}

/** The sum of a metric's samples, or undefined when the exposition has none of it. */
export function metricSum(samples: MetricSample[], name: string): number | undefined {
  let found = false;
  let sum = 0;
  for (const s of samples)
    if (s.name === name) {
      found = true;
      sum += s.value;
    }
  return found ? sum : undefined;
}

/** What the console reads from an instance's /metrics; undefined where it is not exposed. */
export interface InstanceFigures {
  /** Resident set size (process_resident_memory_bytes). */
  rssBytes: number | undefined;
  /** V8 heap used (nodejs_heap_size_used_bytes). */
  heapUsedBytes: number | undefined;
  /** Total CPU seconds (process_cpu_seconds_total): a rate between two readings is the CPU use. */
  cpuSeconds: number | undefined;
  /** Events applied (fleet_events_processed_total). */
  processed: number | undefined;
  deadLettered: number | undefined;
  duplicates: number | undefined;
  /** Every metric family the exposition has, so that the console can say what there is. */
  families: string[];
}

export function instanceFigures(text: string): InstanceFigures {
  const samples = parseMetrics(text);
  return {
    rssBytes: metricSum(samples, 'process_resident_memory_bytes'),
    heapUsedBytes: metricSum(samples, 'nodejs_heap_size_used_bytes'),
    cpuSeconds: metricSum(samples, 'process_cpu_seconds_total'),
    processed: metricSum(samples, 'fleet_events_processed_total'),
    deadLettered: metricSum(samples, 'fleet_events_dead_lettered_total'),
    duplicates: metricSum(samples, 'fleet_events_duplicate_total'),
    families: [...new Set(samples.map((s) => s.name.replace(/_(bucket|sum|count)$/, '')))].sort(),
  };
}
