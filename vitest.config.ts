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

export default defineConfig({
  test: {
    // The minutes-long files first (test-durations.json), so none starts last and runs alone.
    sequence: { sequencer: LongestFirstSequencer },
    projects: [
      {
        test: {
          name: 'unit',
          include: workspace.map((dir) => `${dir}/*.unit.test.ts`),
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
          // Two cores and one shared broker: run integration files one or two at a time.
          maxWorkers: 2,
          globalSetup: ['packages/testkit/src/global-setup.ts'],
          // Each file's topics in a namespace of its own (FLEET_TOPIC_PREFIX), removed after it.
          setupFiles: ['packages/testkit/src/topic-namespace-setup.ts'],
        },
      },
    ],
  },
});
