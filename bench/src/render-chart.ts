import type { BenchResult } from './bench-result.ts';
import { scenarioIds, scenarioLabel } from './scenario.ts';

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Events/s per scenario as a horizontal bar chart in plain SVG text, on a log scale (the naive
 * baseline and the ceilings are orders of magnitude apart). A scenario without a number gets a label.
 */
export function renderChart(result: BenchResult): string {
  const rows = scenarioIds.map((id) => ({ id, s: result.scenarios[id] }));
  const max = Math.max(10, ...rows.map((r) => r.s.eventsPerSec ?? 0));
  const top = Math.ceil(Math.log10(max));
  const left = 330;
  const width = 900;
  const plot = width - left - 90;
  const rowHeight = 42;
  const height = 70 + rows.length * rowHeight + 40;
  const x = (v: number) => left + (Math.log10(Math.max(v, 1)) / top) * plot;
  const colours: Record<string, string> = {
    A: '#8da0cb',
    A2: '#b3bfe0',
    B: '#8da0cb',
    B2: '#b3bfe0',
    C: '#fc8d62',
    C2: '#fdb89a',
    D: '#1b9e77',
    E: '#66a61e',
  };
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="13">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">Events/s per scenario (median of ${result.events.runs}, ${result.events.count.toLocaleString('en')} events, log scale)</text>`,
    `<text x="${width / 2}" y="44" text-anchor="middle" fill="#555">${escapeXml(`${result.startedAt.slice(0, 10)} · ${result.machine.cpus} cpus · node ${result.machine.node} · ${result.mode} mode${result.notes.some((n) => n.includes('loaded')) ? ' · machine loaded' : ''}`)}</text>`,
  ];
  for (let p = 0; p <= top; p++) {
    const gx = x(10 ** p);
    parts.push(
      `<line x1="${gx}" y1="58" x2="${gx}" y2="${height - 34}" stroke="#e0e0e0"/>`,
      `<text x="${gx}" y="${height - 18}" text-anchor="middle" fill="#555">${(10 ** p).toLocaleString('en')}</text>`,
    );
  }
  rows.forEach(({ id, s }, i) => {
    const y = 64 + i * rowHeight;
    parts.push(
      `<text x="${left - 8}" y="${y + 20}" text-anchor="end">${escapeXml(`${scenarioLabel(id)} — ${s.name}`.slice(0, 48))}</text>`,
    );
    if (s.eventsPerSec === null) {
      parts.push(
        `<text x="${left + 6}" y="${y + 20}" fill="#888" font-style="italic">${escapeXml(s.note ?? 'not measured')}</text>`,
      );
      return;
    }
    const w = Math.max(2, x(s.eventsPerSec) - left);
    parts.push(
      `<rect x="${left}" y="${y + 4}" width="${w.toFixed(1)}" height="24" fill="${colours[id]}"/>`,
      `<text x="${(left + w + 6).toFixed(1)}" y="${y + 20}">${s.eventsPerSec.toLocaleString('en')}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
