// The whole test suite: lint, typecheck, then every unit and integration test in one vitest run.
// Brings the native infrastructure up when nothing answers yet and stops it afterwards.
// Ends with `N passed, N failed` (the real counts from vitest's JSON report).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';

const run = (cmd: string, args: string[]) => spawnSync(cmd, args, { stdio: 'inherit' }).status ?? 1;
const infraUp = () =>
  spawnSync('bash', ['infra/native/infra.sh', 'status'], { stdio: 'ignore' }).status === 0;
const externalInfra = Boolean(process.env.KAFKA_BROKERS && process.env.FLEET_EXTERNAL_INFRA);

let startedInfra = false;
if (!externalInfra && !infraUp()) {
  if (run('bash', ['infra/native/infra.sh', 'up']) !== 0) {
    console.error('test: the infrastructure did not start (see above)');
    process.exit(1);
  }
  startedInfra = true;
}

let failedChecks = 0;
try {
  failedChecks +=
    run('pnpm', ['exec', 'turbo', 'run', 'lint', 'typecheck', '--output-logs=errors-only']) === 0 ? 0 : 1;
  mkdirSync('reports', { recursive: true });
  const report = 'reports/vitest.json';
  const vitest = run('pnpm', [
    'exec',
    'vitest',
    'run',
    ...process.argv.slice(2),
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
  ]);
  const counts = existsSync(report)
    ? (JSON.parse(readFileSync(report, 'utf8')) as {
        numPassedTests: number;
        numFailedTests: number;
        numTotalTests: number;
      })
    : { numPassedTests: 0, numFailedTests: 0, numTotalTests: 0 };
  if (vitest !== 0 && counts.numFailedTests === 0) failedChecks += 1; // e.g. a file that failed to load
  if (failedChecks > 0)
    console.error(
      `test: ${failedChecks} check(s) failed besides the tests (lint, typecheck or test collection)`,
    );
  if (counts.numTotalTests === 0) console.error('test: no test ran');
  console.log(`${counts.numPassedTests} passed, ${counts.numFailedTests + failedChecks} failed`);
  process.exitCode = failedChecks > 0 || counts.numFailedTests > 0 || counts.numTotalTests === 0 ? 1 : 0;
} finally {
  if (startedInfra && !process.env.FLEET_KEEP_INFRA) run('bash', ['infra/native/infra.sh', 'down']);
}
