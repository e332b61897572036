#!/usr/bin/env node
// `pnpm bench` — the end-to-end benchmark on the real local infrastructure (see ../README.md).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
// The runtime's derivation of one memory budget (not exported by @fleet/processor's index yet).
import { memoryBudget } from '../../packages/processor/src/memory-budget.ts';
import type { BenchResult } from './bench-result.ts';
import { renderChart } from './render-chart.ts';
import { renderResultsTable, replaceResultsSection } from './render-results-table.ts';
import { runBench } from './run-bench.ts';
import { parseScenarioIds, scenarioIds } from './scenario.ts';

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
    scenarios: { type: 'string', default: scenarioIds.join(',') },
    'database-batch-sizes': { type: 'string', default: '500,2000,10000' },
    'memory-budget-mb': { type: 'string' },
    out: { type: 'string' },
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
  --scenarios A,A′,B,B′,C,C′,D,E  which throughput scenarios to run (A2/B2/C2 = A′/B′/C′; E rebuilds D's projection: implies D)
  --database-batch-sizes L  B's batch sizes tried on a sample in each run, the fastest used (default 500,2000,10000)
  --memory-budget-mb N    run the runtime's processes (D, E, latency) within one memory budget: heap flags
                          and fetch sizes from memoryBudget(N) of packages/processor/src/memory-budget.ts
  --no-latency            skip the latency phase (e.g. --events 1000000 --scenarios D,E --runs 1 --no-latency)
  --profile A,B,C,D,E,serve  scenarios to run under node --cpu-prof (profiles in bench/results/profiles)
  --write / --no-write    write bench/results/<date>.json, chart.svg and the README table
                          (default: full runs of every scenario with the latency phase only)
  --out FILE              write the result JSON to FILE (e.g. results/rebuild-1m.json), nothing else
  --keep-database         keep the benchmark database for inspection
`);
  process.exit(0);
}

const quick = values.quick;
const scenarios = parseScenarioIds(values.scenarios);
const budget = values['memory-budget-mb'] ? memoryBudget(Number(values['memory-budget-mb'])) : undefined;
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
  databaseBatchSizes: values['database-batch-sizes'].split(',').map(Number),
  writers: 3,
  latencyRate: int(values['latency-rate'], 1000),
  latencySeconds: values['no-latency'] ? 0 : int(values['latency-seconds'], quick ? 5 : 20),
  naiveMaxSeconds: int(values['naive-max-seconds'], quick ? 30 : 60),
  maxSeconds: quick ? 60 : 600,
  scenarios,
  childExecArgv: Object.fromEntries(
    [...new Set([...profiled, ...(budget ? ['D', 'E', 'serve'] : [])])].map((s) => [
      s,
      [
        ...(profiled.includes(s)
          ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${s}-${Date.now()}.cpuprofile`]
          : []),
        ...(budget && ['D', 'E', 'serve'].includes(s) ? budget.nodeFlags : []),
      ],
    ]),
  ),
  ...(budget ? { runtimeEnv: budget.env } : {}),
  ...(budget
    ? {
        notes: [
          `memory budget ${budget.budgetMb} MB for the runtime's processes (D, E, latency): ${budget.nodeFlags.join(' ')}, ${Object.entries(
            budget.env,
          )
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')}`,
        ],
      }
    : {}),
  keepDatabase: values['keep-database'],
  log,
});

// A partial run (some scenarios, no latency phase) must not replace the README's full table by default.
const complete = scenarioIds.every((id) => scenarios.includes(id)) && !values['no-latency'];
if (values.out) {
  writeFileSync(values.out, `${JSON.stringify(result, null, 2)}\n`);
  log(`wrote ${values.out}`);
} else if (!values['no-write'] && (values.write ?? (!quick && complete))) {
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
