import type { FuzzSummary } from './run-fuzz.ts';

/** The summary as Markdown: what was sent, what became of it, why records were dead-lettered. */
export function renderFuzzSummary(s: FuzzSummary): string {
  const median = [...s.settleSeconds].sort((a, b) => a - b)[Math.floor(s.settleSeconds.length / 2)] ?? NaN;
  const lines = [
    `## fuzz: ${s.passed ? 'passed' : 'FAILED'} (seed ${s.seed})`,
    '',
    `${s.runs} run(s) × ${s.recordsPerRun} records; unhandled rejections: ${s.unhandledRejections};`,
    `settled (last record produced → lag 0): median ${median.toFixed(1)} s, max ${Math.max(...s.settleSeconds).toFixed(1)} s`,
    '',
    '| record kind | sent | applied | dead-lettered | skipped |',
    '|---|---:|---:|---:|---:|',
    ...Object.entries(s.outcomes).map(
      ([kind, o]) => `| ${kind} | ${o.sent} | ${o.applied} | ${o.dead} | ${o.skipped} |`,
    ),
    '',
    '| dead-letter reason | records |',
    '|---|---:|',
    ...Object.entries(s.reasons)
      .sort((a, b) => b[1] - a[1])
      .map(([code, n]) => `| ${code} | ${n} |`),
  ];
  if (s.failure) lines.push('', '```', s.failure, '```');
  return lines.join('\n');
}
