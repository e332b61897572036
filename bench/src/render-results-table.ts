import type { BenchResult } from './bench-result.ts';
import { scenarioIds } from './scenario.ts';

const START = '<!-- bench:results:start -->';
const END = '<!-- bench:results:end -->';
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
      `| ${id} — ${s.name} | ${num(s.eventsPerSec)} | ${s.runs.map((x) => num(x.eventsPerSec)).join(' / ') || '—'} | ${num(s.cpuSeconds, 2)} | ${num(s.cpuMicrosPerEvent, 1)} | ${num(s.machineCpuMicrosPerEvent ?? null, 1)} | ${num(s.peakRssMb, 1)} | ${s.note ?? ''} |`,
    );
  }
  lines.push(
    '',
    `Latency of D at ${r.latency.ratePerSec} events/s for ${r.latency.seconds} s (produce → projection row visible, poll every ≈${r.latency.pollIntervalMs} ms): p50 ${num(r.latency.p50Ms)} ms, p90 ${num(r.latency.p90Ms)} ms, p99 ${num(r.latency.p99Ms)} ms, max ${num(r.latency.maxMs)} ms (of which produce → handler called: p50 ${num(r.latency.toHandlerP50Ms)} ms, p99 ${num(r.latency.toHandlerP99Ms)} ms) over ${r.latency.samples} events (${r.latency.missing} not seen); processor CPU ${num(r.latency.cpuSeconds, 2)} s, peak RSS ${num(r.latency.peakRssMb, 1)} MB; ${num(r.latency.eventsPerSubBatch, 1)} events per sub-batch, ${num(r.latency.transactionsPerEvent, 2)} Postgres transactions per event.`,
    '',
    '| target | wanted | actual | |',
    '|---|---|---:|---|',
    ...r.targets.map((t) => `| ${t.name} | ${t.target} | ${num(t.actual, 2)} | ${verdict(t.met)} |`),
    '',
    `Ratios: D/C = ${num(r.ratios['D/C'], 2)}, D/min(A,B) = ${num(r.ratios['D/min(A,B)'], 2)}, E/D = ${num(r.ratios['E/D'], 2)}.`,
  );
  if (r.notes.length) lines.push('', ...r.notes.map((n) => `Note: ${n}.`));
  return lines.join('\n');
}

/** Replaces what is between the markers (appends the section when they are missing). */
export function replaceResultsSection(readme: string, table: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  const section = `${START}\n${table}\n${END}`;
  if (start === -1 || end === -1) return `${readme.trimEnd()}\n\n${section}\n`;
  return readme.slice(0, start) + section + readme.slice(end + END.length);
}
