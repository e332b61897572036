import type { BenchResult } from './bench-result.ts';
import { replaceSection } from './readme-sections.ts';
import { scenarioIds, scenarioLabel } from './scenario.ts';

const num = (v: number | null, digits = 0) =>
  v === null ? '—' : v.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const verdict = (met: boolean | null) => (met === null ? 'not judged' : met ? '**met**' : '**missed**');

/** The Markdown section of bench/README.md that a full run rewrites. */
export function renderResultsTable(r: BenchResult): string {
  const lines = [
    `Run of ${r.startedAt.slice(0, 16).replace('T', ' ')} UTC (${r.mode} mode): ${r.events.count.toLocaleString('en')} events × ${r.events.runs} runs, ${r.events.keys.toLocaleString('en')} keys, ${r.events.partitions} partitions, value ${r.events.valueBytes} B + headers ${r.events.headerBytes} B. Machine: ${r.machine.cpus} cpus (${r.machine.cpuModel}), ${r.machine.memoryGb} GB, load average ${r.machine.loadAverageAtStart.join(' ')} at start and ${r.machine.loadAverageAtEnd.join(' ')} at end; Node ${r.machine.node}, Kafka ${r.machine.kafka ?? '?'}, PostgreSQL ${r.machine.postgres ?? '?'}, ${r.machine.schemaRegistry ?? 'registry ?'}.`,
    '',
    '| scenario | events/s (median) | runs | CPU s (median) | CPU µs/event | machine CPU µs/event | peak RSS MB (max) | note |',
    '|---|---:|---|---:|---:|---:|---:|---|',
  ];
  for (const id of scenarioIds) {
    const s = r.scenarios[id];
    lines.push(
      `| ${scenarioLabel(id)} — ${s.name} | ${num(s.eventsPerSec)} | ${s.runs.map((x) => num(x.eventsPerSec)).join(' / ') || '—'} | ${num(s.cpuSeconds, 2)} | ${num(s.cpuMicrosPerEvent, 1)} | ${num(s.machineCpuMicrosPerEvent ?? null, 1)} | ${num(s.peakRssMb, 1)} | ${s.note ?? ''} |`,
    );
  }
  lines.push(
    '',
    `Latency of D at ${r.latency.ratePerSec} events/s for ${r.latency.seconds} s, open loop (event i due at start + i / rate, stamped with its due time and sent then, whatever earlier sends are doing; latency = projection row visible − due time, poll every ≈${r.latency.pollIntervalMs} ms): p50 ${num(r.latency.p50Ms)} ms, p90 ${num(r.latency.p90Ms)} ms, p99 ${num(r.latency.p99Ms)} ms, max ${num(r.latency.maxMs)} ms (of which due → handler called: p50 ${num(r.latency.toHandlerP50Ms)} ms, p99 ${num(r.latency.toHandlerP99Ms)} ms) over ${r.latency.samples} events (${r.latency.missing} not seen); sends left at most ${num(r.latency.sendLagMaxMs)} ms late (p99 ${num(r.latency.sendLagP99Ms)} ms); processor CPU ${num(r.latency.cpuSeconds, 2)} s, peak RSS ${num(r.latency.peakRssMb, 1)} MB; ${num(r.latency.eventsPerSubBatch, 1)} events per sub-batch, ${num(r.latency.transactionsPerEvent, 2)} Postgres transactions per event.`,
    '',
    '| target | wanted | actual | |',
    '|---|---|---:|---|',
    ...r.targets.map((t) => `| ${t.name} | ${t.target} | ${num(t.actual, 2)} | ${verdict(t.met)} |`),
    '',
    `Ratios: ${Object.entries(r.ratios)
      .map(([k, v]) => `${k} = ${num(v, 2)}`)
      .join(', ')} (serial(A,B) = 1 / (1/A + 1/B) = ${num(serial(r), 0)} events/s).`,
  );
  if (r.notes.length) lines.push('', ...r.notes.map((n) => `Note: ${n}.`));
  return lines.join('\n');
}

/** Replaces the results section (appends it when the markers are missing). */
export function replaceResultsSection(readme: string, table: string): string {
  return replaceSection(readme, 'results', table);
}

const serial = (r: BenchResult) => {
  const a = r.scenarios.A.eventsPerSec;
  const b = r.scenarios.B.eventsPerSec;
  return a && b ? 1 / (1 / a + 1 / b) : null;
};
