import { describe, expect, it } from 'vitest';
import type { AppliedBatch, MembershipChange } from './scale-out-fleet.ts';
import { expectedState } from './scale-out-oracle.ts';
import {
  firstAfter,
  handover,
  longestGap,
  longestMemberGap,
  partitionsApplied,
  rebalanceRound,
  recordsIn,
} from './scale-out-timeline.ts';

const at = (t: number, instance: string, partition: number, records = 500): AppliedBatch => ({
  at: t,
  instance,
  partition,
  records,
});

// a holds 0–2 and b 3–5; b stops at 1000; a pauses 1050–1400 (the rebalance), then takes 3–5 too.
const timeline = [
  at(900, 'a', 0),
  at(950, 'b', 3),
  at(1010, 'b', 4),
  at(1050, 'a', 1),
  at(1400, 'a', 2),
  at(1450, 'a', 3),
  at(1500, 'a', 5),
  at(1700, 'a', 4),
];

describe('the applied-events timeline', () => {
  it('finds the longest stretch with nothing applied, the window edges included', () => {
    expect(longestGap(timeline, 1000, 1700)).toEqual({ ms: 350, from: 1050, to: 1400 });
    expect(longestGap(timeline, 0, 950)).toEqual({ ms: 900, from: 0, to: 900 });
    expect(longestGap([], 10, 30)).toEqual({ ms: 20, from: 10, to: 30 });
  });

  it('finds the longest stretch in which one member applied nothing, and whose it was', () => {
    expect(longestMemberGap(timeline, ['a', 'b'], 1000, 1700)).toEqual({
      ms: 690,
      from: 1010,
      instance: 'b',
    });
    expect(longestMemberGap(timeline, ['a'], 1000, 1700)).toEqual({ ms: 350, from: 1050, instance: 'a' });
    // The group's gap is only where the members' stretches overlap.
    expect(longestGap(timeline, 1000, 1700).ms).toBeLessThan(690);
  });

  it('counts records in a window, of all instances or one', () => {
    expect(recordsIn(timeline, 1000, 1500)).toBe(2500);
    expect(recordsIn(timeline, 1000, 1500, 'b')).toBe(500);
  });

  it('says which partitions an instance applied, and the first sub-batch after a moment', () => {
    expect(partitionsApplied(timeline, 'b', 0, 1000)).toEqual([3]);
    expect(partitionsApplied(timeline, 'b', 0, 1100)).toEqual([3, 4]);
    expect(firstAfter(timeline, 1000, (x) => x.instance === 'a')?.at).toBe(1050);
    expect(firstAfter(timeline, 2000, () => true)).toBeNull();
  });

  it('times the handover of each partition a leaving instance held, by another instance only', () => {
    expect(handover(timeline, 'b', [3, 4], 1000)).toEqual([
      { partition: 3, at: 1450, by: 'a' },
      { partition: 4, at: 1700, by: 'a' },
    ]);
    expect(handover(timeline.slice(0, 5), 'b', [3, 4], 1000)).toEqual([
      { partition: 3, at: null, by: null },
      { partition: 4, at: null, by: null },
    ]);
  });
});

describe('a rebalance round as the members report it', () => {
  // b is told to join at 1000; a notices at its heartbeat (1300), both join at 1450, then apply.
  const membership: MembershipChange[] = [
    { at: 900, instance: 'a', kind: 'joined', partitions: [0, 1] },
    { at: 1300, instance: 'a', kind: 'rebalancing' },
    { at: 1450, instance: 'a', kind: 'joined', partitions: [0] },
    { at: 1452, instance: 'b', kind: 'joined', partitions: [1] },
  ];
  const applied = [at(1200, 'a', 0), at(1320, 'a', 1), at(1500, 'a', 0), at(1550, 'b', 1)];

  it('is complete once every member joined after the last notice and applied since', () => {
    expect(rebalanceRound(membership, applied, ['a', 'b'], 1000)).toEqual({
      noticedAt: 1300,
      rejoinedAt: 1452,
      applyingAt: 1550,
    });
  });

  it('is not complete while a member has not applied since its join, or not joined yet', () => {
    expect(rebalanceRound(membership, applied.slice(0, 3), ['a', 'b'], 1000)).toBeNull();
    expect(rebalanceRound(membership.slice(0, 3), applied, ['a', 'b'], 1000)).toBeNull();
    // a's join before the notice belongs to an earlier round.
    expect(rebalanceRound(membership.slice(0, 2), applied, ['a'], 800)).toBeNull();
  });
});

describe('the oracle from the event numbers', () => {
  it('expects each event once per meter and one follow-on in ten', () => {
    const { meters, milestones } = expectedState(25, 10);
    expect(meters.size).toBe(10);
    // meter-00003 gets events 3, 13, 23: readings 3 + 13 + 23, seqs 0–2.
    expect(meters.get('meter-00003')).toEqual({ readings: 3, total: 39, lastSeq: 2 });
    expect(meters.get('meter-00007')).toEqual({ readings: 2, total: 24, lastSeq: 1 });
    // events 0, 10, 20: meter-00000 with seqs 0, 1 and 2.
    expect([...milestones].sort()).toEqual(['meter-00000#0', 'meter-00000#1', 'meter-00000#2']);
  });
});
