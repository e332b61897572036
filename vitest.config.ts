import { defineConfig } from 'vitest/config';
import { LongestFirstSequencer } from './vitest.sequencer.ts';

// One vitest run for the whole workspace, split by test kind (file name):
//   *.unit.test.ts  pure and fast, no I/O
//   *.int.test.ts   real Kafka, Schema Registry and PostgreSQL
//   *.e2e.test.ts   services as separate processes on real infrastructure
const workspace = [
  'packages/*/src/**',
  'packages/*/test/**',
  'services/*/src/**',
  'services/*/test/**',
  'bench/src/**',
  'chaos/src/**',
  'fuzz/src/**',
  'e2e/src/**',
  'deploy/src/**',
  'console/src/**',
  'scripts',
];

// Three files at a time on two cores: an integration file mostly waits (on the broker, group joins,
// polls); with two the CPU stayed about a third idle.
const workers = 3;

export default defineConfig({
  test: {
    // The minutes-long files first (test-durations.json), so none starts last and runs alone.
    sequence: { sequencer: LongestFirstSequencer },
    projects: [
      {
        test: {
          name: 'unit',
          include: workspace.map((dir) => `${dir}/*.unit.test.ts`),
          // Pure tests share their workers' module cache: a fresh process per file cost a second each
          // (70 files: 45 s, 9 s shared). A unit test restores what it changes (env, spies, modules).
          isolate: false,
          // Projects that run together share one pool: the same number of workers.
          maxWorkers: workers,
          // Unit tests see the plain topic names whatever the shell exports.
          env: { FLEET_TOPIC_PREFIX: '' },
        },
      },
      {
        test: {
          name: 'int',
          include: workspace.flatMap((dir) => [`${dir}/*.int.test.ts`, `${dir}/*.e2e.test.ts`]),
          testTimeout: 120_000,
          hookTimeout: 120_000,
          maxWorkers: workers,
          globalSetup: ['packages/testkit/src/global-setup.ts'],
          // Each file's topics in a namespace of its own (FLEET_TOPIC_PREFIX), removed after it.
          setupFiles: ['packages/testkit/src/topic-namespace-setup.ts'],
        },
      },
    ],
  },
});
