#!/usr/bin/env node
// `pnpm bench` — the end-to-end benchmark on the real local infrastructure (see ../README.md).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { BenchResult } from './bench-result.ts';
import { renderChart } from './render-chart.ts';
import { renderResultsTable, replaceResultsSection } from './render-results-table.ts';
import { runBench } from './run-bench.ts';
import type { ScenarioId } from './scenario.ts';

const args = process.argv.slice(2);
const { values } = parseArgs({
  args: args[0] === '--' ? args.slice(1) : args,
  options: {
    json: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    events: { type: 'string' },
    keys: { type: 'string', default: '10000' },
    runs: { type: 'string' },
    'latency-rate': { type: 'string', default: '1000' },
    'latency-seconds': { type: 'string' },
    'naive-max-seconds': { type: 'string' },
    scenarios: { type: 'string', default: 'A,B,C,D,E' },
    profile: { type: 'string' },
    write: { type: 'boolean' },
    'no-write': { type: 'boolean' },
    'no-latency': { type: 'boolean', default: false },
    'keep-database': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  process.stdout.write(`pnpm bench [-- options]
  --quick                 small N (5,000), one run, 5 s latency phase; targets reported, not judged
  --json                  print the result JSON on stdout (progress goes to stderr)
  --events N              events per scenario run (default 200000; quick 5000)
  --keys N                distinct keys (default 10000)
  --runs N                runs per scenario, median reported (default 3; quick 1)
  --latency-rate N        events/s of the latency phase (default 1000)
  --latency-seconds N     length of the latency phase (default 20; quick 5)
  --naive-max-seconds N   cap of scenario C's window (default 60; quick 30)
  --scenarios A,B,C,D,E   which throughput scenarios to run (E rebuilds D's projection: implies D)
  --no-latency            skip the latency phase (e.g. --events 1000000 --scenarios D,E --runs 1 --no-latency)
  --profile A,B,C,D,E,serve  scenarios to run under node --cpu-prof (profiles in bench/results/profiles)
  --write / --no-write    write bench/results/<date>.json, chart.svg and the README table
                          (default: full runs of all five scenarios with the latency phase only)
  --keep-database         keep the benchmark database for inspection
`);
  process.exit(0);
}

const quick = values.quick;
const int = (value: string | undefined, fallback: number) => (value === undefined ? fallback : Number(value));
const profiled = (values.profile ?? '').split(',').filter(Boolean);
const profileDir = new URL('../results/profiles/', import.meta.url).pathname;
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

const result: BenchResult = await runBench({
  mode: quick ? 'quick' : 'full',
  events: int(values.events, quick ? 5_000 : 200_000),
  keys: int(values.keys, 10_000),
  runs: int(values.runs, quick ? 1 : 3),
  batchSize: 500,
  writers: 3,
  latencyRate: int(values['latency-rate'], 1000),
  latencySeconds: values['no-latency'] ? 0 : int(values['latency-seconds'], quick ? 5 : 20),
  naiveMaxSeconds: int(values['naive-max-seconds'], quick ? 30 : 60),
  maxSeconds: quick ? 60 : 600,
  scenarios: values.scenarios.split(',').filter((s): s is ScenarioId => /^[ABCDE]$/.test(s)),
  childExecArgv: Object.fromEntries(
    profiled.map((s) => [
      s,
      ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${s}-${Date.now()}.cpuprofile`],
    ]),
  ),
  keepDatabase: values['keep-database'],
  log,
});

// A partial run (some scenarios, no latency phase) must not replace the README's full table by default.
const complete =
  ['A', 'B', 'C', 'D', 'E'].every((id) => values.scenarios.split(',').includes(id)) && !values['no-latency'];
if (!values['no-write'] && (values.write ?? (!quick && complete))) {
  const dir = new URL('../results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const file = new URL(`${result.startedAt.slice(0, 10)}.json`, dir);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(new URL('chart.svg', dir), renderChart(result));
  const readme = new URL('../README.md', import.meta.url);
  writeFileSync(readme, replaceResultsSection(readFileSync(readme, 'utf8'), renderResultsTable(result)));
  log(`wrote ${file.pathname}, results/chart.svg and the table in bench/README.md`);
}

if (values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
else process.stdout.write(`${renderResultsTable(result)}\n`);
