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
  /** SIGKILLs of the chaos broker's JVM while records are produced and consumed. */
  brokerKills: number;
  backendTerminations: number;
  /** Crash restarts (`pg_ctl stop -m immediate`, then start) of the run's own PostgreSQL. */
  pgRestarts: number;
  /** Add/remove pairs of a second instance. */
  rebalances: number;
  /** Pause before each fault, in ms (drawn from the seed). */
  gapMs: [number, number];
  /** Keep the run's logs, its PostgreSQL cluster and broker state even when it passes. */
  keep: boolean;
  /** Where to write the summary as `<date>-<mode>-seed<seed>.md` (with its JSON), if given. */
  resultsDir: string | undefined;
}

const presets = {
  quick: {
    events: 5_000,
    accounts: 60,
    rate: 150,
    kills: 3,
    brokerRestarts: 1,
    brokerKills: 1,
    backendTerminations: 1,
    pgRestarts: 1,
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
    brokerKills: 3,
    backendTerminations: 5,
    pgRestarts: 3,
    rebalances: 2,
    poison: 25,
    undecodable: 25,
    gapMs: [1_000, 4_000],
  },
} as const;

const q = presets.quick;
export const usage = `usage: pnpm chaos [-- options]
  --quick         short run for CI: ${q.events} records; ${q.kills} kills, ${q.brokerRestarts} broker restart, ${q.brokerKills} broker kill,
                  ${q.backendTerminations} backend termination, ${q.pgRestarts} PostgreSQL restart, ${q.rebalances} add/remove
  --seed <n>      replay a run: the same input and the same fault schedule
  --json          print the summary as JSON (progress goes to stderr)
  --events <n>    records to send (duplicates included)
  --kills <n>  --broker-restarts <n>  --broker-kills <n>  --backend-terminations <n>  --pg-restarts <n>
  --rebalances <n>   how many faults of each kind (at least one fault in all: a run without faults is refused)
  --rate <n>      records per second
  --results <dir> also write the summary to <dir>/<date>-<mode>-seed<seed>.md
  --keep          keep logs, the PostgreSQL cluster and the broker's data of a passing run`;

const numeric = [
  '--seed',
  '--events',
  '--kills',
  '--broker-restarts',
  '--broker-kills',
  '--backend-terminations',
  '--pg-restarts',
  '--rebalances',
  '--rate',
];

/** Parses the command line; the mode's preset fills in what is not given. Throws on a usage error. */
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
  const text = (name: string): string | undefined => {
    const i = args.indexOf(name);
    if (i < 0) return undefined;
    const v = args[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${name} needs a value\n${usage}`);
    return v;
  };
  const withValue = new Set([...numeric, '--results']);
  const known = new Set(['--quick', '--json', '--keep', ...withValue]);
  for (const [i, a] of args.entries())
    if (a.startsWith('--') && !known.has(a)) throw new Error(`unknown option ${a}\n${usage}`);
    else if (!a.startsWith('--') && !withValue.has(args[i - 1] ?? ''))
      throw new Error(`unexpected ${a}\n${usage}`);
  const mode = flag('--quick') ? 'quick' : 'full';
  const p = presets[mode];
  const options: ChaosOptions = {
    mode,
    seed: value('--seed') ?? randomInt(1, 2 ** 31),
    json: flag('--json'),
    keep: flag('--keep'),
    resultsDir: text('--results'),
    events: value('--events') ?? p.events,
    accounts: p.accounts,
    duplicateRate: 0.05,
    outOfOrderRate: 0.02,
    poison: p.poison,
    undecodable: p.undecodable,
    rate: value('--rate') ?? p.rate,
    kills: value('--kills') ?? p.kills,
    brokerRestarts: value('--broker-restarts') ?? p.brokerRestarts,
    brokerKills: value('--broker-kills') ?? p.brokerKills,
    backendTerminations: value('--backend-terminations') ?? p.backendTerminations,
    pgRestarts: value('--pg-restarts') ?? p.pgRestarts,
    rebalances: value('--rebalances') ?? p.rebalances,
    gapMs: [...p.gapMs],
  };
  const faults =
    options.kills +
    options.brokerRestarts +
    options.brokerKills +
    options.backendTerminations +
    options.pgRestarts +
    options.rebalances;
  // A run without a fault would only show that the ledger works when nothing goes wrong: not a chaos run.
  if (faults === 0) throw new Error(`no fault scheduled: a chaos run needs at least one fault\n${usage}`);
  if (options.events < 200) throw new Error(`--events must be at least 200\n${usage}`);
  if (options.rate === 0) throw new Error(`--rate must be at least 1\n${usage}`);
  return options;
}
