import type { ChaosInput } from './chaos-input.ts';
import { type FaultKind, faultKinds } from './fault-schedule.ts';
import type { UnexpectedExit } from './processor-fleet.ts';

export interface Check {
  name: string;
  expected: number;
  actual: number;
  mismatches: number;
  detail?: string;
}

export interface FaultStats {
  /** In the seeded schedule. */
  scheduled: number;
  /** Injected and verified to have happened (see the README: what counts). */
  tookEffect: number;
  /** Attempts that changed nothing (e.g. a backend termination that found no backend); not counted. */
  noEffect: number;
  /** How long injecting the fault itself took (e.g. the broker's stop and start), mean over those that took effect. */
  actionMeanSeconds: number;
  /** From injection until processing moved again, over those that took effect and recovered. */
  meanSeconds: number;
  maxSeconds: number;
}

/** One fault of the schedule as it happened. */
export interface FaultRecord {
  n: number;
  kind: FaultKind;
  /** Seconds since the start of the run. */
  at: number;
  what: string;
  tookEffect: boolean;
  attempts: number;
  actionSeconds: number;
  /** Until processing moved again; undefined when it did not within the limit (or the fault had no effect). */
  recoverySeconds: number | undefined;
}

/** What a run did and found; `--json` prints it as is. */
export interface ChaosSummary {
  seed: number;
  mode: 'quick' | 'full';
  passed: boolean;
  /** Records sent as planned (duplicates, poison and undecodable included). */
  events: number;
  input: ChaosInput['stats'] & { wireRecords: number };
  /** Faults that took effect, by kind. */
  faults: Record<FaultKind, number>;
  faultsScheduled: number;
  faultsTookEffect: number;
  faultStats: Record<FaultKind, FaultStats>;
  faultLog: FaultRecord[];
  /** The longest time from a fault to processing moving again, over every fault that took effect. */
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
  /** Broker kills that landed while a produce request was in flight (not yet acknowledged). */
  brokerKillsMidSend: number;
  /** Instance exits nobody caused: each is a mismatch. */
  unexpectedExits: (UnexpectedExit & { at: number; afterFault: string })[];
  secondsToIdle: number;
  durationSeconds: number;
  environment: { node: string; kafka: string; postgres: string; cpus: number };
}

export function faultStats(
  schedule: { kind: FaultKind }[],
  log: FaultRecord[],
  noEffect: Map<FaultKind, number>,
): Record<FaultKind, FaultStats> {
  const mean = (s: number[]) => (s.length ? round(s.reduce((a, b) => a + b, 0) / s.length) : 0);
  return Object.fromEntries(
    faultKinds.map((kind) => {
      const effective = log.filter((f) => f.kind === kind && f.tookEffect);
      const recoveries = effective.flatMap((f) =>
        f.recoverySeconds === undefined ? [] : [f.recoverySeconds],
      );
      return [
        kind,
        {
          scheduled: schedule.filter((f) => f.kind === kind).length,
          tookEffect: effective.length,
          noEffect: noEffect.get(kind) ?? 0,
          actionMeanSeconds: mean(effective.map((f) => f.actionSeconds)),
          meanSeconds: mean(recoveries),
          maxSeconds: recoveries.length ? round(Math.max(...recoveries)) : 0,
        },
      ];
    }),
  ) as Record<FaultKind, FaultStats>;
}

export const round = (n: number) => Math.round(n * 10) / 10;

/** The summary as Markdown tables (the README keeps the latest full run's figures). */
export function renderSummary(s: ChaosSummary): string {
  const lines = [
    `seed ${s.seed} (${s.mode}), ${s.durationSeconds} s, idle ${s.secondsToIdle} s after the last record` +
      ` — ${s.passed ? 'PASS' : 'FAIL'}: ${s.mismatches} mismatch(es), ${s.faultsTookEffect} of ${s.faultsScheduled} faults took effect`,
    '',
    `Node ${s.environment.node}, Kafka ${s.environment.kafka}, PostgreSQL ${s.environment.postgres}, ${s.environment.cpus} cores`,
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
    '| fault | scheduled | took effect | attempted, no effect | fault itself, mean s | recovery mean s | recovery max s |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...faultKinds.map((k) => {
      const f = s.faultStats[k];
      return `| ${k} | ${f.scheduled} | ${f.tookEffect} | ${f.noEffect} | ${f.actionMeanSeconds} | ${f.meanSeconds} | ${f.maxSeconds} |`;
    }),
    `| **all** | ${s.faultsScheduled} | **${s.faultsTookEffect}** | ${Object.values(s.faultStats).reduce((n, f) => n + f.noEffect, 0)} | | | **${s.maxRecoverySeconds}** |`,
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
    `| broker kills with a produce request in flight / broker kills | ${s.brokerKillsMidSend} / ${s.faults['broker-kill']} |`,
  ];
  for (const e of s.unexpectedExits)
    lines.push(
      '',
      `Unexpected exit of instance ${e.name} (pid ${e.pid ?? '?'}) at ${e.at} s, ${e.afterFault}: ` +
        `code ${e.code ?? '-'}, signal ${e.signal ?? '-'}; its log ended with:`,
      '',
      '```',
      e.logTail,
      '```',
    );
  return lines.join('\n');
}

/** The fault-by-fault log, for the results file. */
export function renderFaultLog(s: ChaosSummary): string {
  return [
    '| # | at s | kind | what | took effect | fault itself s | recovery s |',
    '|---:|---:|---|---|---|---:|---:|',
    ...s.faultLog.map(
      (f) =>
        `| ${f.n} | ${f.at} | ${f.kind} | ${f.what} | ${f.tookEffect ? 'yes' : `no (${f.attempts} attempts)`} | ${f.actionSeconds} | ${f.recoverySeconds ?? '—'} |`,
    ),
  ].join('\n');
}
