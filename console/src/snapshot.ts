import type {
  FleetSnapshot,
  InstanceView,
  PartitionView,
  ProcessorView,
  RebuildJob,
  ResourceView,
  Sample,
} from './fleet-model.ts';
import type { KafkaView, ProcessorRow, Registry } from './fleet-reader.ts';
import type { InstanceFigures } from './metrics-text.ts';
import type { ProcStats } from './proc-stats.ts';

/** What the console learnt from one instance over HTTP (and /proc when it runs on this host). */
export interface InstanceProbe {
  figures: InstanceFigures | null;
  /** /readyz: ready, and whether the instance is a member of its consumer group. */
  readiness: { ready: boolean; inGroup: boolean | null } | null;
  rebuild: RebuildJob | null;
  proc: ProcStats | null;
  error: string | null;
}

/** An instance's counters at one reading. */
export interface InstanceReading {
  processed?: number;
  cpuSeconds?: number;
  procCpuSeconds?: number;
  startTicks?: number;
}

/** Counters from the previous reading, to turn totals into rates. */
export interface Readings {
  at: number;
  committed: Map<string, number>;
  instances: Map<string, InstanceReading>;
}

export interface SnapshotInputs {
  now: number;
  pollMs: number;
  adminTokenConfigured: boolean;
  registry: Registry;
  kafka: KafkaView | null;
  problems: string[];
  probes: Map<string, InstanceProbe>;
  previous: Readings | undefined;
  /** This host's name: instances on it can be measured through /proc when /metrics says nothing. */
  localHost: string;
}

const kindOf = (groupId: string): ProcessorView['kind'] =>
  groupId.endsWith('__rebuild') ? 'rebuild' : groupId.endsWith('__rollback') ? 'rollback' : 'live';

const rate = (now: number, before: number | undefined, dtSeconds: number): number | null => {
  if (before === undefined || dtSeconds <= 0) return null;
  // A counter that went down was reset (a restart, an offset reset): no rate this time.
  if (now < before) return null;
  return (now - before) / dtSeconds;
};

const round = (n: number | null, digits = 2) =>
  n === null ? null : Math.round(n * 10 ** digits) / 10 ** digits;

/** Turns what was read into the snapshot browsers get, and the counters the next rates start from. */
export function buildSnapshot(input: SnapshotInputs): { snapshot: FleetSnapshot; readings: Readings } {
  const { registry, kafka, probes, previous, now } = input;
  const dt = previous ? (now - previous.at) / 1000 : 0;
  const readings: Readings = { at: now, committed: new Map(), instances: new Map() };
  const processors = registry.processors.map((p): ProcessorView => {
    const problems: string[] = [];
    const rows = registry.instances.filter((i) => i.groupId === p.groupId);
    const instances = rows.map((row): InstanceView => {
      const probe = probes.get(row.instanceId);
      const before = previous?.instances.get(row.instanceId);
      const figures = probe?.figures ?? null;
      const proc = probe?.proc ?? null;
      const sameProcess =
        proc && before?.startTicks !== undefined ? before.startTicks === proc.startTicks : true;
      readings.instances.set(row.instanceId, {
        ...(figures?.processed !== undefined ? { processed: figures.processed } : {}),
        ...(figures?.cpuSeconds !== undefined ? { cpuSeconds: figures.cpuSeconds } : {}),
        ...(proc ? { procCpuSeconds: proc.cpuSeconds, startTicks: proc.startTicks } : {}),
      });
      const resources = resourcesOf(
        row,
        figures,
        proc,
        sameProcess ? before : undefined,
        dt,
        input.localHost,
      );
      const inGroup = probe?.readiness?.inGroup;
      return {
        id: row.instanceId,
        host: row.host,
        pid: row.pid,
        httpAddress: row.httpAddress,
        alive: row.alive,
        paused: row.paused,
        detached: row.alive && inGroup !== null && inGroup !== undefined ? !inGroup : null,
        ready: probe?.readiness?.ready ?? null,
        startedAt: row.startedAt.toISOString(),
        lastSeen: row.lastSeen.toISOString(),
        lastError: row.lastError,
        lastErrorAt: row.lastErrorAt?.toISOString() ?? null,
        resources,
        eventsPerSecond:
          figures?.processed !== undefined ? round(rate(figures.processed, before?.processed, dt)) : null,
        processedTotal: figures?.processed ?? null,
        deadLetteredTotal: figures?.deadLettered ?? null,
        metricsFamilies: figures?.families ?? null,
        probeError: probe?.error ?? null,
      };
    });
    const alive = instances.filter((i) => i.alive);

    let partitions: PartitionView[] = [];
    let total: number | null = null;
    let dlqCount: number | null = null;
    let eventsPerSecond: number | null = null;
    if (kafka) {
      const missing = p.topics.filter((t) => !kafka.topics.has(t));
      if (missing.length) problems.push(`topic(s) ${missing.join(', ')} do not exist`);
      const committed = kafka.committed.get(p.groupId) ?? new Map<string, number>();
      partitions = p.topics.flatMap((topic) =>
        (kafka.ends.get(topic) ?? []).map((end) => {
          const c = committed.get(`${topic}:${end.partition}`);
          const at = c !== undefined && c >= 0 ? c : null;
          return {
            topic,
            partition: end.partition,
            lag: Math.max(0, end.high - (at ?? end.low)),
            committed: at,
            end: end.high,
            low: end.low,
          };
        }),
      );
      total = missing.length === p.topics.length ? null : partitions.reduce((s, x) => s + x.lag, 0);
      const sum = partitions.reduce((s, x) => s + (x.committed ?? 0), 0);
      readings.committed.set(p.groupId, sum);
      eventsPerSecond = round(rate(sum, previous?.committed.get(p.groupId), dt));
      dlqCount = kafka.topics.has(p.dlqTopic)
        ? (kafka.ends.get(p.dlqTopic) ?? []).reduce((s, o) => s + o.high - o.low, 0)
        : 0;
    }

    const outbox = registry.outbox.get(p.schema);
    if (outbox && 'problem' in outbox) problems.push(outbox.problem);
    const lastErr = rows
      .filter((r) => r.lastError && r.lastErrorAt)
      .sort((a, b) => Number(b.lastErrorAt) - Number(a.lastErrorAt))[0];
    const control = registry.controls.get(p.groupId);
    const rebuild = latestJob(
      rows.map((r) => ({ instanceId: r.instanceId, job: probes.get(r.instanceId)?.rebuild })),
    );
    const group = kafka?.groups.get(p.groupId) ?? null;
    const switchedAt = registry.switches.get(p.schema);
    return {
      groupId: p.groupId,
      name: p.name,
      schema: p.schema,
      topics: p.topics,
      dlqTopic: p.dlqTopic,
      dedupeWindowHours: p.dedupeWindowHours,
      replay: p.replay,
      kind: kindOf(p.groupId),
      group,
      instances,
      counts: {
        alive: alive.length,
        paused: alive.filter((i) => i.paused).length,
        detached: alive.filter((i) => i.detached).length,
        gone: instances.length - alive.length,
      },
      lag: { total, partitions },
      eventsPerSecond,
      outbox: outbox && !('problem' in outbox) ? outbox : null,
      dlqCount,
      lastError:
        lastErr?.lastError && lastErr.lastErrorAt
          ? {
              message: lastErr.lastError,
              at: lastErr.lastErrorAt.toISOString(),
              instanceId: lastErr.instanceId,
            }
          : null,
      control: control
        ? {
            paused: control.paused,
            requestedBy: control.requestedBy,
            requestedAt: control.requestedAt.toISOString(),
          }
        : null,
      versions: {
        previousKept: registry.schemas.has(`${p.schema}__previous`),
        switchedAt: switchedAt?.toISOString() ?? null,
        rebuildSchema: registry.schemas.has(`${p.schema}__rebuild`),
      },
      rebuild,
      admin: adminUsable(p, alive, input.adminTokenConfigured),
      problems,
    };
  });
  return {
    snapshot: {
      at: new Date(now).toISOString(),
      pollMs: input.pollMs,
      adminTokenConfigured: input.adminTokenConfigured,
      processors,
      problems: input.problems,
    },
    readings,
  };
}

function adminUsable(
  p: ProcessorRow,
  alive: InstanceView[],
  tokenConfigured: boolean,
): ProcessorView['admin'] {
  if (!tokenConfigured)
    return { usable: false, reason: 'the console has no FLEET_ADMIN_TOKEN, so it cannot use the admin API' };
  if (kindOf(p.groupId) !== 'live')
    return { usable: false, reason: 'a rebuild or rollback catching up: operate the live processor' };
  if (!alive.some((i) => i.httpAddress))
    return {
      usable: false,
      reason: `no live instance of ${p.name} serves HTTP: start one (or use the fleet CLI, which needs none)`,
    };
  return { usable: true, reason: null };
}

/** The job to show: a running one first, else the one started last. */
export function latestJob(
  jobs: { instanceId: string; job: RebuildJob | null | undefined }[],
): ProcessorView['rebuild'] {
  const known = jobs.filter((j): j is { instanceId: string; job: RebuildJob } => Boolean(j.job));
  const running = known.find((j) => j.job.state === 'running');
  if (running) return running;
  return known.sort((a, b) => b.job.startedAt.localeCompare(a.job.startedAt))[0] ?? null;
}

function resourcesOf(
  row: { host: string; alive: boolean },
  figures: InstanceFigures | null,
  proc: ProcStats | null,
  before: InstanceReading | undefined,
  dt: number,
  localHost: string,
): ResourceView {
  if (figures && (figures.rssBytes !== undefined || figures.cpuSeconds !== undefined)) {
    const cpu = figures.cpuSeconds !== undefined ? rate(figures.cpuSeconds, before?.cpuSeconds, dt) : null;
    return {
      source: 'metrics',
      rssBytes: figures.rssBytes ?? null,
      heapUsedBytes: figures.heapUsedBytes ?? null,
      cpuPercent: cpu === null ? null : round(cpu * 100, 1),
      note: null,
    };
  }
  const notExposed = figures
    ? 'its /metrics exposes no process_* metrics (memory, CPU)'
    : 'its /metrics could not be read';
  if (proc) {
    const cpu = rate(proc.cpuSeconds, before?.procCpuSeconds, dt);
    return {
      source: 'proc',
      rssBytes: proc.rssBytes,
      heapUsedBytes: null,
      cpuPercent: cpu === null ? null : round(cpu * 100, 1),
      note: `${notExposed}; read from /proc on this host`,
    };
  }
  return {
    source: 'none',
    rssBytes: null,
    heapUsedBytes: null,
    cpuPercent: null,
    note: !row.alive
      ? 'instance gone'
      : row.host === localHost
        ? `${notExposed}, and /proc has no such process here`
        : `${notExposed}; it runs on ${row.host}, not on the console's host`,
  };
}

/** A processor's history point from its view. */
export function sampleOf(t: number, p: ProcessorView): Sample {
  return {
    t,
    lag: p.lag.total,
    eventsPerSecond: p.eventsPerSecond,
    partitions: Object.fromEntries(p.lag.partitions.map((x) => [`${x.topic}:${x.partition}`, x.lag])),
  };
}

/** The last minutes of every processor's samples, oldest first. */
export class History {
  readonly #samples = new Map<string, Sample[]>();
  readonly #keepMs: number;

  constructor(keepMinutes: number) {
    this.#keepMs = keepMinutes * 60_000;
  }

  add(groupId: string, sample: Sample): void {
    const list = this.#samples.get(groupId) ?? [];
    list.push(sample);
    const cutoff = sample.t - this.#keepMs;
    let drop = 0;
    while (drop < list.length && (list[drop]?.t ?? 0) < cutoff) drop++;
    if (drop) list.splice(0, drop);
    this.#samples.set(groupId, list);
  }

  /** Forgets processors that are not registered any more. */
  retain(groupIds: Set<string>): void {
    for (const g of this.#samples.keys()) if (!groupIds.has(g)) this.#samples.delete(g);
  }

  all(): Record<string, Sample[]> {
    return Object.fromEntries(this.#samples);
  }

  of(groupId: string): Sample[] {
    return this.#samples.get(groupId) ?? [];
  }
}
