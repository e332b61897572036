// The whole test suite: lint (biome, the runtime's layers, ShellCheck), typecheck, and every unit and
// integration test in one vitest run. The checks run beside the tests, at a lower priority (they
// need a core for half a minute), and their output is printed after the tests'.
// Brings the native infrastructure up when nothing answers yet and stops it afterwards.
// Ends with `N passed, N failed` (the real counts from vitest's JSON report).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { setPriority } from 'node:os';

const run = (cmd: string, args: string[]) => spawnSync(cmd, args, { stdio: 'inherit' }).status ?? 1;
/** As `run`, without blocking: the checks' output keeps being read meanwhile. */
const runAsync = (cmd: string, args: string[]) =>
  new Promise<number>((resolve) => {
    const child = spawn(cmd, args, { stdio: 'inherit' });
    child.once('error', () => resolve(1));
    child.once('close', (code) => resolve(code ?? 1));
  });
const infraUp = () =>
  spawnSync('bash', ['infra/native/infra.sh', 'status'], { stdio: 'ignore' }).status === 0;
const externalInfra = Boolean(process.env.KAFKA_BROKERS && process.env.FLEET_EXTERNAL_INFRA);

/** Runs a command with its output kept (stdout and stderr interleaved) until it ends. */
function check(
  name: string,
  cmd: string,
  args: string[],
): Promise<{ name: string; ok: boolean; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    // Below the tests' priority (its children inherit it): the checks take the CPU the tests leave.
    try {
      if (child.pid !== undefined) setPriority(child.pid, 10);
    } catch {
      // It ended already.
    }
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.once('error', (error) => resolve({ name, ok: false, output: `${output}${error.message}\n` }));
    child.once('close', (code) => resolve({ name, ok: code === 0, output }));
  });
}

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
  const checks = Promise.all([
    check('lint', 'pnpm', ['exec', 'turbo', 'run', 'lint', '--output-logs=errors-only']),
    check('shell scripts', process.execPath, ['scripts/lint-shell.ts']),
    check('typecheck', process.execPath, ['scripts/typecheck.ts']),
  ]);
  mkdirSync('reports', { recursive: true });
  const report = 'reports/vitest.json';
  const vitest = await runAsync('pnpm', [
    'exec',
    'vitest',
    'run',
    ...process.argv.slice(2),
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
  ]);
  for (const result of await checks) {
    console.log(`\n── ${result.name}: ${result.ok ? 'passed' : 'FAILED'}`);
    if (!result.ok || result.output.trim()) process.stdout.write(result.output);
    if (!result.ok) failedChecks += 1;
  }
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
