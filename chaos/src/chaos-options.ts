import { randomInt } from 'node:crypto';

export interface ChaosOptions {
  mode: 'quick' | 'full';
  seed: number;
  json: boolean;
  /** Records sent, duplicates included. */
  events: number;
  accounts: number;
  /** Share of records that re-send an earlier event ID at a later offset. */
  duplicateRate: number;
  /** Share of events that start an out-of-order pair. */
  outOfOrderRate: number;
  poison: number;
  undecodable: number;
  /** Records per second the producer sends (the stream is spread over the fault schedule). */
  rate: number;
  kills: number;
  brokerRestarts: number;
  backendTerminations: number;
  /** Add/remove pairs of a second instance. */
  rebalances: number;
  /** Pause before each fault, in ms (drawn from the seed). */
  gapMs: [number, number];
  /** Keep the run's logs and database even when it passes. */
  keep: boolean;
}

const presets = {
  quick: {
    events: 5_000,
    accounts: 60,
    rate: 150,
    kills: 3,
    brokerRestarts: 1,
    backendTerminations: 1,
    rebalances: 1,
    poison: 5,
    undecodable: 5,
    gapMs: [500, 1_500],
  },
  full: {
    events: 50_000,
    accounts: 300,
    rate: 250,
    kills: 12,
    brokerRestarts: 3,
    backendTerminations: 5,
    rebalances: 2,
    poison: 25,
    undecodable: 25,
    gapMs: [1_000, 4_000],
  },
} as const;

export const usage = `usage: pnpm chaos [-- options]
  --quick         short run for CI: ${presets.quick.events} records, ${presets.quick.kills} kills, 1 broker restart, 1 backend termination, 1 add/remove
  --seed <n>      replay a run: the same input and the same fault schedule
  --json          print the summary as JSON (progress goes to stderr)
  --events <n>    records to send (duplicates included)
  --kills <n>  --broker-restarts <n>  --backend-terminations <n>  --rebalances <n>
  --rate <n>      records per second
  --keep          keep logs and the database of a passing run`;

/** Parses the command line; the mode's preset fills in what is not given. */
export function parseChaosOptions(argv: string[]): ChaosOptions {
  const args = argv.filter((a) => a !== '--');
  const flag = (name: string) => args.includes(name);
  const value = (name: string): number | undefined => {
    const i = args.indexOf(name);
    if (i < 0) return undefined;
    const n = Number(args[i + 1]);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${name} needs a non-negative integer\n${usage}`);
    return n;
  };
  const known = new Set([
    '--quick',
    '--json',
    '--keep',
    '--seed',
    '--events',
    '--kills',
    '--broker-restarts',
    '--backend-terminations',
    '--rebalances',
    '--rate',
  ]);
  for (const [i, a] of args.entries())
    if (a.startsWith('--') && !known.has(a)) throw new Error(`unknown option ${a}\n${usage}`);
    else if (!a.startsWith('--') && !known.has(args[i - 1] ?? ''))
      throw new Error(`unexpected ${a}\n${usage}`);
  const mode = flag('--quick') ? 'quick' : 'full';
  const p = presets[mode];
  return {
    mode,
    seed: value('--seed') ?? randomInt(1, 2 ** 31),
    json: flag('--json'),
    keep: flag('--keep'),
    events: value('--events') ?? p.events,
    accounts: p.accounts,
    duplicateRate: 0.05,
    outOfOrderRate: 0.02,
    poison: p.poison,
    undecodable: p.undecodable,
    rate: value('--rate') ?? p.rate,
    kills: value('--kills') ?? p.kills,
    brokerRestarts: value('--broker-restarts') ?? p.brokerRestarts,
    backendTerminations: value('--backend-terminations') ?? p.backendTerminations,
    rebalances: value('--rebalances') ?? p.rebalances,
    gapMs: [...p.gapMs],
  };
}
