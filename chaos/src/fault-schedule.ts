import type { SeededRandom } from './seeded-random.ts';

export const faultKinds = [
  'kill',
  'broker-restart',
  'broker-kill',
  'pg-terminate',
  'pg-restart',
  'instance-add',
  'instance-remove',
] as const;
export type FaultKind = (typeof faultKinds)[number];

export interface Fault {
  kind: FaultKind;
  /** Pause before the fault. */
  gapMs: number;
  /** kill: which running instance (index into the sorted running names, scaled from [0, 1)). */
  pick: number;
  /** kill: how long the killed instance stays down before it is started again. */
  downMs: number;
}

export interface FaultCounts {
  kills: number;
  brokerRestarts: number;
  brokerKills: number;
  backendTerminations: number;
  pgRestarts: number;
  rebalances: number;
}

/**
 * The faults in the order they happen, from the seed alone. Add/remove of the second instance come
 * in pairs, each add before its remove; everything else is shuffled among them.
 */
export function faultSchedule(random: SeededRandom, counts: FaultCounts, gapMs: [number, number]): Fault[] {
  const bag: (FaultKind | 'scale')[] = [
    ...Array<FaultKind>(counts.kills).fill('kill'),
    ...Array<FaultKind>(counts.brokerRestarts).fill('broker-restart'),
    ...Array<FaultKind>(counts.brokerKills).fill('broker-kill'),
    ...Array<FaultKind>(counts.backendTerminations).fill('pg-terminate'),
    ...Array<FaultKind>(counts.pgRestarts).fill('pg-restart'),
    ...Array<'scale'>(counts.rebalances * 2).fill('scale'),
  ];
  let scaled = 0;
  return random.shuffle(bag).map((token) => ({
    kind: token === 'scale' ? (scaled++ % 2 === 0 ? 'instance-add' : 'instance-remove') : token,
    gapMs: random.int(gapMs[0], gapMs[1]),
    pick: random.next(),
    downMs: random.int(200, 2_000),
  }));
}
