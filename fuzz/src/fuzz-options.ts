import type { FuzzOptions } from './run-fuzz.ts';

export const usage = `usage: pnpm fuzz -- [--seed <n>] [--records <n>] [--runs <n>] [--no-shrink] [--json]

  --seed <n>      replay a run: same inputs (default: a random seed, printed)
  --records <n>   records per run (default 2000)
  --runs <n>      generated inputs, each on a fresh processor, topic and schema (default 5)
  --no-shrink     stop at the first failure instead of shrinking it to a minimal input
  --json          the summary as JSON on stdout`;

export class UsageError extends Error {}

/** Parses the command line; every wrong argument is listed at once. */
export function parseFuzzOptions(argv: string[]): FuzzOptions & { json: boolean } {
  const problems: string[] = [];
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') continue;
    if (arg === '--no-shrink' || arg === '--json') flags.add(arg);
    else if (['--seed', '--records', '--runs'].includes(arg)) {
      const value = argv[++i];
      if (value === undefined) problems.push(`${arg} needs a value`);
      else values.set(arg, value);
    } else problems.push(`unknown argument ${JSON.stringify(arg)}`);
  }
  const int = (name: string, fallback: number, min: number, max: number) => {
    const raw = values.get(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
      return fallback;
    }
    return n;
  };
  const records = int('--records', 2_000, 1, 1_000_000);
  const options = {
    seed: int('--seed', Math.floor(Math.random() * 2 ** 31), -(2 ** 31), 2 ** 31 - 1),
    records,
    runs: int('--runs', 5, 1, 10_000),
    shrink: !flags.has('--no-shrink'),
    // Generous for a busy 2-core machine: the records themselves need well under a second per thousand.
    settleTimeoutMs: 60_000 + records * 20,
    json: flags.has('--json'),
  };
  if (problems.length > 0) throw new UsageError(`${problems.join('\n')}\n\n${usage}`);
  return options;
}
