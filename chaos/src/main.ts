// pnpm chaos [-- --quick] [--seed n] [--json]: see chaos/README.md.
import { parseChaosOptions } from './chaos-options.ts';
import { renderSummary } from './chaos-summary.ts';
import { runChaos } from './run-chaos.ts';

let options: ReturnType<typeof parseChaosOptions>;
try {
  options = parseChaosOptions(process.argv.slice(2));
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
console.error(`chaos: seed ${options.seed} (replay with --seed ${options.seed})`);
try {
  const summary = await runChaos(options, (line) => console.error(line));
  console.log(options.json ? JSON.stringify(summary, null, 2) : renderSummary(summary));
  process.exit(summary.mismatches === 0 ? 0 : 1);
} catch (error) {
  console.error(`chaos: the run failed (seed ${options.seed}):`, error);
  process.exit(1);
}
