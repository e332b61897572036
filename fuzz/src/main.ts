// `pnpm fuzz -- --seed S --records N --runs R`: the record-path property on the real infrastructure.
// Exit codes: 0 no violation, 1 a violation (its seed and minimal input are printed), 2 usage error.
import { parseFuzzOptions, UsageError } from './fuzz-options.ts';
import { renderFuzzSummary } from './fuzz-summary.ts';
import { runFuzz } from './run-fuzz.ts';

try {
  const options = parseFuzzOptions(process.argv.slice(2));
  console.error(`fuzz: seed ${options.seed}, ${options.runs} run(s) of ${options.records} records`);
  const summary = await runFuzz({ ...options, log: (line) => console.error(`fuzz: ${line}`) });
  console.log(options.json ? JSON.stringify(summary, null, 2) : renderFuzzSummary(summary));
  process.exitCode = summary.passed ? 0 : 1;
} catch (error) {
  console.error(error instanceof UsageError ? error.message : error);
  process.exitCode = error instanceof UsageError ? 2 : 1;
}
