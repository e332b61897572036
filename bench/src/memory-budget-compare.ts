#!/usr/bin/env node
// `pnpm bench:budget` — scenario D with the runtime's defaults and within memory budgets (heap flags
// and fetch sizes from memoryBudget(N)), side by side on the same produced events: each round runs
// every arm once, in its own process, arms interleaved. Writes results/memory-budget.json and its
// README section with --write. --compiled-budgets runs D from compiled JavaScript (bench/dist,
// `--conditions=compiled`) as ./fleetw start runs the services: no TypeScript stripper in the process.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createTestDatabase, testKafka, uniqueName } from '@fleet/testkit';
import { memoryBudget } from '../../packages/processor/src/memory-budget.ts';
import { compilePackage } from '../../packages/service-kit/src/compile/compile-package.ts';
import { compileWorkspace } from '../../scripts/service-launch.ts';
import { median } from './bench-result.ts';
import { createBenchTopics, deleteBenchTopics } from './bench-topics.ts';
import { produceReadings } from './produce-readings.ts';
import { replaceSection } from './readme-sections.ts';
import { runInChild } from './run-in-child.ts';
import { round, type ScenarioSample } from './scenario.ts';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    events: { type: 'string', default: '100000' },
    rounds: { type: 'string', default: '2' },
    budgets: { type: 'string', default: '512,256,200,170' },
    'compiled-budgets': { type: 'string', default: '' },
    /** Each compiled budget once more with this semi-space (memoryBudget's semiSpaceMb). */
    'semi-space-mb': { type: 'string' },
    write: { type: 'boolean', default: false },
    /** Another result file and README section than memory-budget (a second set of arms). */
    out: { type: 'string', default: 'memory-budget' },
  },
});
const events = Number(values.events);
const rounds = Number(values.rounds);
const list = (text: string) => text.split(',').filter(Boolean).map(Number);
const semiSpaceMb = values['semi-space-mb'] ? Number(values['semi-space-mb']) : undefined;
const arms: { name: string; budgetMb: number | null; compiled: boolean; semiSpaceMb?: number }[] = [
  { name: 'defaults (no budget)', budgetMb: null, compiled: false },
  ...list(values.budgets).map((b) => ({ name: `budget ${b} MB`, budgetMb: b, compiled: false })),
  ...list(values['compiled-budgets']).map((b) => ({
    name: `budget ${b} MB, compiled`,
    budgetMb: b,
    compiled: true,
  })),
  ...(semiSpaceMb === undefined ? [] : list(values['compiled-budgets'])).map((b) => ({
    name: `budget ${b} MB, compiled, semi-space ${semiSpaceMb} MB`,
    budgetMb: b,
    compiled: true,
    semiSpaceMb,
  })),
];
const budgetOf = (arm: (typeof arms)[number]) =>
  arm.budgetMb === null
    ? undefined
    : memoryBudget(arm.budgetMb, arm.semiSpaceMb === undefined ? {} : { semiSpaceMb: arm.semiSpaceMb });
if (arms.some((a) => a.compiled)) {
  process.chdir(new URL('../..', import.meta.url).pathname);
  if (!compileWorkspace()) process.exit(1);
  await compilePackage('bench');
}
const log = (line: string) => process.stderr.write(`[budget] ${line}\n`);

const database = await createTestDatabase('budget');
const topics = await createBenchTopics('budget');
const producer = testKafka('budget-producer').producer();
await producer.connect();
const samples = new Map<string, ScenarioSample[]>(arms.map((a) => [a.name, []]));
try {
  await produceReadings(producer, topics, events, 10_000);
  for (let r = 1; r <= rounds; r++) {
    for (const [i, arm] of arms.entries()) {
      const budget = budgetOf(arm);
      const sample = await runInChild(
        {
          scenario: 'D',
          events,
          keys: 10_000,
          readingsTopic: topics.readingsTopic,
          milestonesTopic: topics.milestonesTopic,
          databaseUrl: database.url,
          schema: `d_arm${i}_run${r}`,
          groupId: uniqueName(`budget-${i}-${r}`),
          batchSize: 500,
          writers: 3,
          maxSeconds: 600,
        },
        budget?.nodeFlags ?? [],
        budget?.env ?? {},
        arm.compiled,
      ).result;
      samples.get(arm.name)?.push(sample);
      log(
        `${arm.name} run ${r}: ${sample.eventsPerSec} events/s, ${sample.cpuMicrosPerEvent} µs/event, peak rss ${sample.peakRssMb} MB`,
      );
    }
  }
} finally {
  await producer.disconnect();
  await deleteBenchTopics([topics.readingsTopic, topics.milestonesTopic]);
  await database.drop();
}

const med = (list: ScenarioSample[], pick: (s: ScenarioSample) => number) =>
  round(median(list.map(pick)) ?? 0, 1);
const result = {
  schemaVersion: 1,
  startedAt: new Date().toISOString(),
  node: process.version,
  events,
  rounds,
  arms: arms.map((arm) => {
    const list = samples.get(arm.name) ?? [];
    const budget = budgetOf(arm);
    return {
      ...arm,
      settings: budget ? { nodeFlags: budget.nodeFlags, env: budget.env } : null,
      eventsPerSec: Math.round(median(list.map((s) => s.eventsPerSec)) ?? 0),
      cpuMicrosPerEvent: med(list, (s) => s.cpuMicrosPerEvent),
      peakRssMb: Math.max(...list.map((s) => s.peakRssMb)),
      complete: list.every((s) => s.complete),
      runs: list,
    };
  }),
};
const body = [
  `Generated by \`pnpm bench:budget\` (${result.startedAt.slice(0, 16).replace('T', ' ')} UTC, Node ${result.node}): scenario D on ${events.toLocaleString('en')} events, ${rounds} rounds, arms interleaved, each run in its own process; \`results/${values.out}.json\`.`,
  '',
  '| arm | heap flags | fetch (max / per partition) | D events/s (median) | CPU µs/event | peak RSS MB (max) |',
  '|---|---|---|---:|---:|---:|',
  ...result.arms.map(
    (a) =>
      `| ${a.name} | ${a.settings ? a.settings.nodeFlags.join(' ') : 'V8 defaults'} | ${
        a.settings
          ? `${(Number(a.settings.env.PROCESSOR_FETCH_MAX_BYTES) / 1048576).toFixed(1)} MB / ${Math.round(Number(a.settings.env.PROCESSOR_FETCH_MAX_BYTES_PER_PARTITION) / 1024)} KB`
          : '10 MB / 1024 KB'
      } | ${a.eventsPerSec.toLocaleString('en')}${a.complete ? '' : ' (incomplete)'} | ${a.cpuMicrosPerEvent} | ${a.peakRssMb} |`,
  ),
].join('\n');
if (values.write) {
  writeFileSync(
    new URL(`../results/${values.out}.json`, import.meta.url),
    `${JSON.stringify(result, null, 2)}\n`,
  );
  const readme = new URL('../README.md', import.meta.url);
  writeFileSync(readme, replaceSection(readFileSync(readme, 'utf8'), values.out, body));
}
process.stdout.write(`${body}\n`);
process.exit(0);
