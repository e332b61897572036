import type { ChaosInput } from './chaos-input.ts';
import { type FaultKind, faultKinds } from './fault-schedule.ts';

export interface Check {
  name: string;
  expected: number;
  actual: number;
  mismatches: number;
  detail?: string;
}

export interface RecoveryStats {
  count: number;
  /** How long injecting the fault itself took (e.g. the broker's stop and start), mean. */
  actionMeanSeconds: number;
  meanSeconds: number;
  maxSeconds: number;
}

/** What a run did and found; `--json` prints it as is. */
export interface ChaosSummary {
  seed: number;
  mode: 'quick' | 'full';
  /** Records sent as planned (duplicates, poison and undecodable included). */
  events: number;
  input: ChaosInput['stats'] & { wireRecords: number };
  faults: Record<FaultKind, number>;
  recovery: Record<FaultKind, RecoveryStats>;
  maxRecoverySeconds: number;
  mismatches: number;
  checks: Check[];
  /** Distinct IDs in the dead-letter topic. */
  dlq: number;
  dlqExpected: number;
  dlqRecords: number;
  /** DLQ records beyond one per copy of the record on the input topic (at-least-once, not a failure). */
  dlqExtraCopies: number;
  notices: { expected: number; distinct: number; records: number; wireDuplicates: number };
  backendsTerminated: number;
  unexpectedExits: number;
  secondsToIdle: number;
  durationSeconds: number;
}

export function emptyFaultCounts(): Record<FaultKind, number> {
  return Object.fromEntries(faultKinds.map((k) => [k, 0])) as Record<FaultKind, number>;
}

export function recoveryStats(
  samples: Map<FaultKind, number[]>,
  actions: Map<FaultKind, number[]>,
): Record<FaultKind, RecoveryStats> {
  const mean = (s: number[]) => (s.length ? round(s.reduce((a, b) => a + b, 0) / s.length) : 0);
  return Object.fromEntries(
    faultKinds.map((kind) => {
      const s = samples.get(kind) ?? [];
      return [
        kind,
        {
          count: s.length,
          actionMeanSeconds: mean(actions.get(kind) ?? []),
          meanSeconds: mean(s),
          maxSeconds: s.length ? round(Math.max(...s)) : 0,
        },
      ];
    }),
  ) as Record<FaultKind, RecoveryStats>;
}

export const round = (n: number) => Math.round(n * 10) / 10;

/** The summary as Markdown tables (the README keeps the latest full run's). */
export function renderSummary(s: ChaosSummary): string {
  const lines = [
    `seed ${s.seed} (${s.mode}), ${s.durationSeconds} s, idle ${s.secondsToIdle} s after the last record` +
      ` — ${s.mismatches === 0 ? 'PASS' : 'FAIL'}: ${s.mismatches} mismatch(es)`,
    '',
    '| input | count |',
    '|---|---:|',
    `| records sent (events) | ${s.events} |`,
    `| records on the input topic (producer retries included) | ${s.input.wireRecords} |`,
    `| distinct event IDs | ${s.input.uniqueEvents} |`,
    `| duplicate IDs re-sent at a later offset | ${s.input.duplicates} |`,
    `| out-of-order pairs | ${s.input.outOfOrderPairs} |`,
    `| poison (amount 666) | ${s.input.poison} |`,
    `| undecodable | ${s.input.undecodable} |`,
    `| accounts | ${s.input.accounts} |`,
    '',
    '| fault | injected | fault itself, mean s | recovery mean s | recovery max s |',
    '|---|---:|---:|---:|---:|',
    ...faultKinds.map(
      (k) =>
        `| ${k} | ${s.faults[k]} | ${s.recovery[k].actionMeanSeconds} | ${s.recovery[k].meanSeconds} | ${s.recovery[k].maxSeconds} |`,
    ),
    `| **all** | ${Object.values(s.faults).reduce((a, b) => a + b, 0)} | | | **${s.maxRecoverySeconds}** |`,
    '',
    '| check | expected | actual | mismatches |',
    '|---|---:|---:|---:|',
    ...s.checks.map(
      (c) =>
        `| ${c.name}${c.detail ? ` (${c.detail})` : ''} | ${c.expected} | ${c.actual} | ${c.mismatches} |`,
    ),
    `| **total** | | | **${s.mismatches}** |`,
    '',
    '| also observed | count |',
    '|---|---:|',
    `| DLQ: distinct IDs / expected / records | ${s.dlq} / ${s.dlqExpected} / ${s.dlqRecords} |`,
    `| DLQ extra copies (at-least-once) | ${s.dlqExtraCopies} |`,
    `| notices: distinct IDs / expected / records | ${s.notices.distinct} / ${s.notices.expected} / ${s.notices.records} |`,
    `| notices: wire duplicates (deduped downstream) | ${s.notices.wireDuplicates} |`,
    `| Postgres backends terminated | ${s.backendsTerminated} |`,
    `| unexpected instance exits | ${s.unexpectedExits} |`,
  ];
  return lines.join('\n');
}
