import { describe, expect, it } from 'vitest';
import { parseChaosOptions } from './chaos-options.ts';
import { faultSchedule } from './fault-schedule.ts';
import { SeededRandom } from './seeded-random.ts';

describe('chaos options', () => {
  it('refuse a run without any fault (a usage error, not a silent pass)', () => {
    expect(() =>
      parseChaosOptions([
        '--quick',
        '--kills',
        '0',
        '--broker-restarts',
        '0',
        '--broker-kills',
        '0',
        '--backend-terminations',
        '0',
        '--pg-restarts',
        '0',
        '--rebalances',
        '0',
      ]),
    ).toThrow(/no fault scheduled/);
  });

  it('accept a run with a single fault', () => {
    const o = parseChaosOptions(['--quick', '--kills', '0', '--broker-restarts', '0', '--rebalances', '0']);
    expect(o.brokerKills + o.backendTerminations + o.pgRestarts).toBeGreaterThan(0);
  });

  it('schedule every fault kind in quick mode, whatever the seed', () => {
    for (const seed of [1, 2, 3, 1567809140]) {
      const o = parseChaosOptions(['--quick', '--seed', String(seed)]);
      const kinds = new Set(
        faultSchedule(new SeededRandom(seed).fork('faults'), o, o.gapMs).map((f) => f.kind),
      );
      expect([...kinds].sort()).toEqual([
        'broker-kill',
        'broker-restart',
        'instance-add',
        'instance-remove',
        'kill',
        'pg-restart',
        'pg-terminate',
      ]);
    }
  });

  it('take --results as a directory and reject unknown options', () => {
    expect(parseChaosOptions(['--quick', '--results', 'results']).resultsDir).toBe('results');
    expect(() => parseChaosOptions(['--quick', '--results'])).toThrow(/needs a value/);
    expect(() => parseChaosOptions(['--nope'])).toThrow(/unknown option/);
  });
});
