import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Longest files first, so that no minutes-long file starts last and runs alone while the other
 * workers idle (on two workers the suite ended four minutes after the rest with a late rebuild
 * test). How long a file takes comes from test-durations.json (seconds, the files that take 5 s or
 * more, written by `node scripts/test-durations.ts` from a full run's reports/vitest.json); vitest's
 * own order (failed first, its cached durations, then size) decides among the rest. Projects keep
 * their order.
 */
export class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const durations = readDurations(this.ctx.config.root);
    const sorted = await super.sort(files);
    const projectRank = new Map<string, number>();
    for (const file of sorted)
      if (!projectRank.has(file.project.name)) projectRank.set(file.project.name, projectRank.size);
    const rank = new Map(sorted.map((file, i) => [file, i]));
    const seconds = (file: TestSpecification) =>
      durations[relative(this.ctx.config.root, file.moduleId)] ?? 0;
    return [...sorted].sort(
      (a, b) =>
        (projectRank.get(a.project.name) ?? 0) - (projectRank.get(b.project.name) ?? 0) ||
        seconds(b) - seconds(a) ||
        (rank.get(a) ?? 0) - (rank.get(b) ?? 0),
    );
  }
}

function readDurations(root: string): Record<string, number> {
  try {
    return JSON.parse(readFileSync(`${root}/test-durations.json`, 'utf8')) as Record<string, number>;
  } catch {
    return {};
  }
}
