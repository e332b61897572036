// Writes test-durations.json from a full run's vitest report (reports/vitest.json, written by
// ./fleetw test): each test file that took 5 s or more, in seconds. vitest.sequencer.ts starts the
// longest files first. Run it after a full run when files were added, split or made faster:
//   node scripts/test-durations.ts [report]
import { readFileSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const report = resolve(process.argv[2] ?? `${root}/reports/vitest.json`);
const { testResults } = JSON.parse(readFileSync(report, 'utf8')) as {
  testResults: { name: string; startTime: number; endTime: number }[];
};
const durations = Object.fromEntries(
  testResults
    .map((file) => [relative(root, file.name), Math.round((file.endTime - file.startTime) / 1000)] as const)
    .filter(([, seconds]) => seconds >= 5)
    .sort(([, a], [, b]) => b - a),
);
writeFileSync(`${root}/test-durations.json`, `${JSON.stringify(durations, null, 2)}\n`);
console.log(`test-durations.json: ${Object.keys(durations).length} files of 5 s or more, from ${report}`);
