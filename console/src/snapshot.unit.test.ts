import { describe, expect, it } from 'vitest';
import type { RebuildJob } from './fleet-model.ts';
import type { InstanceRow, KafkaView, Registry } from './fleet-reader.ts';
import { buildSnapshot, History, type InstanceProbe, latestJob, type SnapshotInputs } from './snapshot.ts';

const at = new Date('2026-01-01T00:00:00Z');
const instance = (id: string, extra: Partial<InstanceRow> = {}): InstanceRow => ({
  instanceId: id,
  groupId: 'ledger',
  host: 'host-a',
  pid: 100,
  httpAddress: `http://127.0.0.1:${id.length}000`,
  paused: false,
  alive: true,
  startedAt: at,
  lastSeen: at,
  lastError: null,
  lastErrorAt: null,
  ...extra,
});

const registry = (instances: InstanceRow[]): Registry => ({
  processors: [
    {
      groupId: 'ledger',
      name: 'ledger',
      schema: 'ledger',
      topics: ['accounts'],
      dlqTopic: 'ledger.dlq',
      dedupeWindowHours: 168,
      replay: false,
    },
    {
      groupId: 'ledger__rebuild',
      name: 'ledger',
      schema: 'ledger__rebuild',
      topics: ['accounts'],
      dlqTopic: 'ledger.dlq',
      dedupeWindowHours: 168,
      replay: true,
    },
  ],
  instances,
  controls: new Map([['ledger', { paused: true, requestedBy: 'admin-api', requestedAt: at }]]),
  switches: new Map([['ledger', at]]),
  schemas: new Set(['ledger', 'ledger__previous']),
  outbox: new Map([['ledger', { count: 2, oldestAgeSeconds: 4 }]]),
});

const kafka = (committed: [number, number]): KafkaView => ({
  groups: new Map([['ledger', { state: 'Stable', members: [{ clientId: 'ledger', host: '127.0.0.1' }] }]]),
  committed: new Map([
    [
      'ledger',
      new Map([
        ['accounts:0', committed[0]],
        ['accounts:1', committed[1]],
      ]),
    ],
  ]),
  ends: new Map([
    [
      'accounts',
      [
        { partition: 0, low: 0, high: 100 },
        { partition: 1, low: 10, high: 50 },
      ],
    ],
    ['ledger.dlq', [{ partition: 0, low: 1, high: 4 }]],
  ]),
  topics: new Set(['accounts', 'ledger.dlq']),
});

const probe = (p: Partial<InstanceProbe> = {}): InstanceProbe => ({
  figures: null,
  readiness: { ready: true, inGroup: true },
  rebuild: null,
  proc: null,
  error: null,
  ...p,
});

const figures = (processed: number, extra = {}) => ({
  rssBytes: undefined,
  heapUsedBytes: undefined,
  cpuSeconds: undefined,
  processed,
  deadLettered: 0,
  duplicates: 0,
  families: ['fleet_events_processed_total'],
  ...extra,
});

const inputs = (over: Partial<SnapshotInputs>): SnapshotInputs => ({
  now: at.getTime(),
  pollMs: 1000,
  adminTokenConfigured: true,
  registry: registry([instance('a')]),
  kafka: kafka([40, -1]),
  problems: [],
  probes: new Map(),
  previous: undefined,
  localHost: 'host-a',
  ...over,
});

describe('the fleet snapshot', () => {
  it('computes lag and committed offsets per partition, DLQ size, versions, control and admin usability', () => {
    const { snapshot } = buildSnapshot(inputs({}));
    const [live, rebuild] = snapshot.processors;
    expect(live?.lag).toEqual({
      total: 60 + 40,
      partitions: [
        { topic: 'accounts', partition: 0, lag: 60, committed: 40, end: 100, low: 0 },
        // no commit yet: lag from the earliest available record
        { topic: 'accounts', partition: 1, lag: 40, committed: null, end: 50, low: 10 },
      ],
    });
    expect(live).toMatchObject({
      kind: 'live',
      dlqCount: 3,
      outbox: { count: 2, oldestAgeSeconds: 4 },
      group: { state: 'Stable' },
      control: { paused: true, requestedBy: 'admin-api' },
      versions: { previousKept: true, rebuildSchema: false, switchedAt: at.toISOString() },
      admin: { usable: true, reason: null },
      eventsPerSecond: null,
    });
    expect(rebuild).toMatchObject({ kind: 'rebuild', admin: { usable: false } });
  });

  it('turns counters into rates between readings, ignoring a reset', () => {
    const probes = new Map([['a', probe({ figures: figures(100, { cpuSeconds: 10 }) })]]);
    const first = buildSnapshot(inputs({ probes }));
    const later = buildSnapshot(
      inputs({
        now: at.getTime() + 2_000,
        kafka: kafka([60, 20]),
        probes: new Map([['a', probe({ figures: figures(140, { cpuSeconds: 11, rssBytes: 5e7 }) })]]),
        previous: first.readings,
      }),
    );
    const p = later.snapshot.processors[0];
    expect(p?.eventsPerSecond).toBe(20); // committed 40 → 80 in 2 s
    expect(p?.instances[0]).toMatchObject({
      eventsPerSecond: 20,
      resources: { source: 'metrics', rssBytes: 5e7, cpuPercent: 50 },
    });
    const reset = buildSnapshot(
      inputs({ now: at.getTime() + 4_000, kafka: kafka([0, 0]), previous: later.readings }),
    );
    expect(reset.snapshot.processors[0]?.eventsPerSecond).toBeNull();
  });

  it('says where memory and CPU come from, and why not when they cannot be shown', () => {
    const proc = { rssBytes: 1e8, cpuSeconds: 5, startTicks: 9 };
    const r = registry([
      instance('a'),
      instance('bb', { host: 'host-b' }),
      instance('ccc', { paused: true }),
      instance('dddd', { alive: false }),
    ]);
    const probes = new Map([
      ['a', probe({ figures: figures(1), proc })],
      ['bb', probe({ figures: figures(1) })],
      ['ccc', probe({ readiness: { ready: false, inGroup: false } })],
    ]);
    const { snapshot } = buildSnapshot(inputs({ registry: r, probes }));
    const [a, b, c, d] = snapshot.processors[0]?.instances ?? [];
    expect(a?.resources).toMatchObject({
      source: 'proc',
      rssBytes: 1e8,
      note: expect.stringContaining('no process_* metrics'),
    });
    expect(b?.resources).toMatchObject({ source: 'none', note: expect.stringContaining('runs on host-b') });
    expect(c).toMatchObject({ paused: true, detached: true, ready: false });
    expect(d).toMatchObject({ alive: false, detached: null, resources: { note: 'instance gone' } });
    expect(snapshot.processors[0]?.counts).toEqual({ alive: 3, paused: 1, detached: 1, gone: 1 });
  });

  it('shows what it has when Kafka is away, and explains an unusable admin API', () => {
    const { snapshot } = buildSnapshot(
      inputs({ kafka: null, problems: ['Kafka: down'], adminTokenConfigured: false }),
    );
    expect(snapshot.problems).toEqual(['Kafka: down']);
    expect(snapshot.processors[0]).toMatchObject({
      lag: { total: null, partitions: [] },
      dlqCount: null,
      admin: { usable: false, reason: expect.stringContaining('FLEET_ADMIN_TOKEN') },
    });
    const none = buildSnapshot(inputs({ registry: registry([instance('a', { alive: false })]) }));
    expect(none.snapshot.processors[0]?.admin.reason).toMatch(/no live instance/);
  });

  it('prefers a running rebuild job, else the latest', () => {
    const job = (state: RebuildJob['state'], startedAt: string): RebuildJob => ({
      kind: 'rebuild',
      state,
      startedAt,
      finishedAt: null,
      progress: null,
      result: null,
      error: null,
    });
    expect(
      latestJob([
        { instanceId: 'a', job: job('done', '2026-01-02') },
        { instanceId: 'b', job: job('running', '2026-01-01') },
      ])?.instanceId,
    ).toBe('b');
    expect(
      latestJob([
        { instanceId: 'a', job: job('done', '2026-01-01') },
        { instanceId: 'b', job: job('failed', '2026-01-03') },
        { instanceId: 'c', job: null },
      ])?.instanceId,
    ).toBe('b');
    expect(latestJob([])).toBeNull();
  });

  it('keeps the history of the last minutes only', () => {
    const h = new History(1);
    for (const t of [0, 30_000, 61_000, 90_000])
      h.add('g', { t, lag: t, eventsPerSecond: 0, partitions: {} });
    expect(h.of('g').map((s) => s.t)).toEqual([30_000, 61_000, 90_000]);
    h.retain(new Set());
    expect(h.all()).toEqual({});
  });
});
