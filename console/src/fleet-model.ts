/** What the console shows of the fleet at one moment; sent to browsers as JSON. */

export interface RebuildProgress {
  phase: 'catching-up' | 'switching' | 'done';
  done: number;
  total: number;
  perSecond: number;
  etaSeconds?: number | undefined;
}

/** A rebuild or rollback job as GET /admin/rebuild returns it. */
export interface RebuildJob {
  kind: 'rebuild' | 'rollback';
  state: 'running' | 'done' | 'failed' | 'aborted';
  startedAt: string;
  finishedAt: string | null;
  progress: RebuildProgress | null;
  result: { events: number; seconds: number; schema: string; keptAs: string } | null;
  error: { code: string; message: string } | null;
}

export interface PartitionView {
  topic: string;
  partition: number;
  lag: number;
  /** The group's committed offset; null when it has committed none. */
  committed: number | null;
  /** High watermark: the offset the next record will get. */
  end: number;
  /** Earliest offset still in the log (retention, deleteRecords). */
  low: number;
}

export interface ResourceView {
  /** Where the figures come from: the instance's /metrics, this host's /proc, or nowhere. */
  source: 'metrics' | 'proc' | 'none';
  rssBytes: number | null;
  heapUsedBytes: number | null;
  cpuPercent: number | null;
  /** Said when memory or CPU cannot be shown, and why. */
  note: string | null;
}

export interface InstanceView {
  id: string;
  host: string;
  pid: number;
  httpAddress: string | null;
  alive: boolean;
  paused: boolean;
  /** Not a member of the consumer group (its /readyz says so): left for a replay, or rejoining. Null when unknown. */
  detached: boolean | null;
  ready: boolean | null;
  startedAt: string;
  lastSeen: string;
  lastError: string | null;
  lastErrorAt: string | null;
  resources: ResourceView;
  /** Events applied per second by this instance (fleet_events_processed_total), when exposed. */
  eventsPerSecond: number | null;
  processedTotal: number | null;
  deadLetteredTotal: number | null;
  /** The metric families its /metrics exposes; null when it was not read. */
  metricsFamilies: string[] | null;
  probeError: string | null;
}

export interface ProcessorView {
  groupId: string;
  name: string;
  schema: string;
  topics: string[];
  dlqTopic: string;
  dedupeWindowHours: number;
  replay: boolean;
  /** `live`, or the consumer group of a rebuild / rollback catching up beside it. */
  kind: 'live' | 'rebuild' | 'rollback';
  group: { state: string; members: { clientId: string; host: string }[] } | null;
  instances: InstanceView[];
  counts: { alive: number; paused: number; detached: number; gone: number };
  lag: { total: number | null; partitions: PartitionView[] };
  /** Records committed per second by the group, between the last two readings. */
  eventsPerSecond: number | null;
  outbox: { count: number; oldestAgeSeconds: number } | null;
  dlqCount: number | null;
  lastError: { message: string; at: string; instanceId: string } | null;
  /** The last pause/resume request recorded in fleet.controls. */
  control: { paused: boolean; requestedBy: string; requestedAt: string } | null;
  versions: { previousKept: boolean; switchedAt: string | null; rebuildSchema: boolean };
  rebuild: { instanceId: string; job: RebuildJob } | null;
  /** Whether the admin API can be used for this processor now, and why not. */
  admin: { usable: boolean; reason: string | null };
  problems: string[];
}

export interface FleetSnapshot {
  at: string;
  pollMs: number;
  adminTokenConfigured: boolean;
  processors: ProcessorView[];
  /** What could not be read at all (Kafka or PostgreSQL away). */
  problems: string[];
}

/** One point of a processor's history: total lag, rate and lag per partition (`topic:partition`). */
export interface Sample {
  t: number;
  lag: number | null;
  eventsPerSecond: number | null;
  partitions: Record<string, number>;
}
