/**
 * One memory setting for a processor instance, `PROCESSOR_MEMORY_BUDGET_MB` (the RSS it may use: a
 * container's memory limit less a margin), from which the V8 heap limits and the kafkajs fetch sizes
 * follow. A pure function: the heap flags must reach Node before it starts (`NODE_OPTIONS` in the
 * image or the manifest), the fetch sizes are the runtime's defaults when the variables are unset.
 *
 * The budget is spent as follows (MB):
 *   nativeFloor   what a started processor holds outside the V8 heap: Node, type stripping, the code of
 *                 its modules, sockets (measured: bench/results/memory-floor.json, `rss − heapTotal`)
 *   young         the young generation, 3 × the semi-space
 *   fetched       raw fetch responses (Buffers, outside the heap): fetchMaxBytes, at most two in flight
 *   old space     the rest, less a 10 % margin; it holds the records of the fetches in flight besides
 *                 the runtime's own objects (≈ 35 MB once started). A fetch's records take ≈ 4.5 × its
 *                 bytes in the heap (kafkajs makes a Buffer of every key, value and header: a heap
 *                 snapshot of inventory on a backlog held 15 MB more than idle with one 3.5 MB fetch),
 *                 and two fetches' records can be alive at once (the next fetch is read while the last
 *                 is applied; a rebalance during retries). With 2.5 × the demo's inventory ran out of
 *                 its old space on a backlog.
 */
export interface MemoryBudget {
  budgetMb: number;
  /** `--max-old-space-size` */
  maxOldSpaceMb: number;
  /** `--max-semi-space-size` */
  maxSemiSpaceMb: number;
  /** `PROCESSOR_FETCH_MAX_BYTES` */
  fetchMaxBytes: number;
  /** `PROCESSOR_FETCH_MAX_BYTES_PER_PARTITION` */
  fetchMaxBytesPerPartition: number;
  /** The heap flags, for `NODE_OPTIONS` or a child's execArgv. */
  nodeFlags: string[];
  /** The fetch sizes as the runtime's variables. */
  env: Record<string, string>;
}

export interface MemoryBudgetOptions {
  /** RSS outside the V8 heap of a started processor (MB). */
  nativeFloorMb?: number;
  /** Partitions an instance may hold at once (the fleet's topics have 6). */
  partitions?: number;
  /**
   * The semi-space (MB) instead of the derived one, the old space getting what is left: records that
   * outlive a small young generation (a backlog's, held through a transaction) are promoted and then
   * collected by the costlier old-space collector. Measured in bench/README.md ("Memory").
   */
  semiSpaceMb?: number;
}

/**
 * nativeFloorMb: `rss − heapTotal` of a started, idle processor (bench/results/memory-floor.json,
 * median of 3: 150.6 − 69.7 ≈ 81 MB on Node 24 with type stripping).
 */
export const MEMORY_BUDGET_DEFAULTS = { nativeFloorMb: 80, partitions: 6 } as const;
/** Below this old space a started processor (≈ 35 MB of live objects) spends its time collecting. */
export const MIN_OLD_SPACE_MB = 48;
const MB = 1024 * 1024;
/** kafkajs' defaults, which the runtime keeps when memory is plentiful. */
const MAX_FETCH = 10 * MB;
const MAX_FETCH_PER_PARTITION = 1 * MB;
const MIN_FETCH_PER_PARTITION = 64 * 1024;
/** Heap and native bytes per fetched byte: two raw responses + two fetches' records at ≈ 4.5 × each. */
const BYTES_PER_FETCHED_BYTE = 2 + 2 * 4.5;

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

/** The smallest budget `memoryBudget` accepts with these options. */
export function minimumBudgetMb(options: MemoryBudgetOptions = {}): number {
  const floor = options.nativeFloorMb ?? MEMORY_BUDGET_DEFAULTS.nativeFloorMb;
  // 1 MB semi-spaces (3 MB young), 1 MB fetches (2 in flight), the minimum old space, the margin.
  return Math.ceil((floor + 3 + 2 + MIN_OLD_SPACE_MB) / 0.9);
}

/** Derives the heap limits and fetch sizes from one RSS budget; throws when the budget cannot hold the floor. */
export function memoryBudget(budgetMb: number, options: MemoryBudgetOptions = {}): MemoryBudget {
  const floor = options.nativeFloorMb ?? MEMORY_BUDGET_DEFAULTS.nativeFloorMb;
  const partitions = Math.max(1, options.partitions ?? MEMORY_BUDGET_DEFAULTS.partitions);
  const minimum = minimumBudgetMb(options);
  if (!Number.isFinite(budgetMb) || budgetMb < minimum)
    throw new RangeError(
      `a memory budget of ${budgetMb} MB cannot hold a processor: at least ${minimum} MB (${floor} MB outside the heap, ${MIN_OLD_SPACE_MB} MB of old space, young generation, fetches and a 10 % margin)`,
    );
  const usable = budgetMb * 0.9 - floor;
  // The fetches in flight, raw and decoded, get at most a quarter of what is left.
  let fetchMaxBytes = Math.round(clamp(((usable / 4) * MB) / BYTES_PER_FETCHED_BYTE, 1 * MB, MAX_FETCH));
  let maxSemiSpaceMb = options.semiSpaceMb ?? clamp(Math.floor(usable / 24), 1, 16);
  const oldSpace = () => Math.floor(usable - 3 * maxSemiSpaceMb - (2 * fetchMaxBytes) / MB);
  if (options.semiSpaceMb !== undefined && oldSpace() < MIN_OLD_SPACE_MB)
    throw new RangeError(
      `a semi-space of ${options.semiSpaceMb} MB leaves ${oldSpace()} MB of old space in a budget of ${budgetMb} MB: at least ${MIN_OLD_SPACE_MB} MB are needed (a smaller semi-space or a larger budget)`,
    );
  if (oldSpace() < MIN_OLD_SPACE_MB) {
    // Near the minimum the old space comes first: 1 MB semi-spaces, and fetches as large as still fits.
    maxSemiSpaceMb = 1;
    fetchMaxBytes = Math.floor(
      clamp(((usable - 3 - MIN_OLD_SPACE_MB - 0.5) / 2) * MB, 1 * MB, fetchMaxBytes),
    );
  }
  const maxOldSpaceMb = oldSpace();
  const fetchMaxBytesPerPartition = Math.round(
    clamp(fetchMaxBytes / partitions, MIN_FETCH_PER_PARTITION, MAX_FETCH_PER_PARTITION),
  );
  return {
    budgetMb,
    maxOldSpaceMb,
    maxSemiSpaceMb,
    fetchMaxBytes,
    fetchMaxBytesPerPartition,
    nodeFlags: [`--max-old-space-size=${maxOldSpaceMb}`, `--max-semi-space-size=${maxSemiSpaceMb}`],
    env: {
      PROCESSOR_FETCH_MAX_BYTES: String(fetchMaxBytes),
      PROCESSOR_FETCH_MAX_BYTES_PER_PARTITION: String(fetchMaxBytesPerPartition),
    },
  };
}
