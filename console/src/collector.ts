import { hostname } from 'node:os';
import type { Admin } from 'kafkajs';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { AdminClient } from './admin-client.ts';
import type { FleetSnapshot, RebuildJob, Sample } from './fleet-model.ts';
import { type InstanceRow, type KafkaView, type Registry, readKafka, readRegistry } from './fleet-reader.ts';
import { instanceFigures } from './metrics-text.ts';
import { readProcStats } from './proc-stats.ts';
import { buildSnapshot, History, type InstanceProbe, type Readings, sampleOf } from './snapshot.ts';

export interface Tick {
  snapshot: FleetSnapshot;
  /** The point each processor's history gained with this snapshot. */
  samples: Record<string, Sample>;
}

export interface CollectorOptions {
  db: Kysely<unknown>;
  /** A connected Kafka admin client (connected lazily; a failure is reported in the snapshot). */
  kafkaAdmin: () => Promise<Admin>;
  client: AdminClient;
  pollMs: number;
  historyMinutes: number;
  aliveSeconds: number;
  logger: Logger;
  /** Replaces reading /proc (tests). */
  procStats?: typeof readProcStats;
}

/**
 * Reads the fleet every `pollMs` (control tables, Kafka, each live instance's /metrics, /readyz
 * and rebuild job), keeps the last minutes of lag and rate per processor, and hands each reading
 * to the subscribers (the server-sent event streams). Readings never overlap: the next starts
 * `pollMs` after the previous one ended.
 */
export class FleetCollector {
  readonly #o: CollectorOptions;
  readonly #history: History;
  readonly #listeners = new Set<(tick: Tick) => void>();
  readonly #localHost = hostname();
  #snapshot: FleetSnapshot | undefined;
  #readings: Readings | undefined;
  #timer: NodeJS.Timeout | undefined;
  #current: Promise<void> = Promise.resolve();
  #queued: Promise<void> | undefined;
  #stopped = false;

  constructor(options: CollectorOptions) {
    this.#o = options;
    this.#history = new History(options.historyMinutes);
  }

  get snapshot(): FleetSnapshot | undefined {
    return this.#snapshot;
  }

  history(): Record<string, Sample[]> {
    return this.#history.all();
  }

  subscribe(listener: (tick: Tick) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async start(): Promise<void> {
    await this.refresh();
  }

  /**
   * Reads now (after an operator action, so that its effect shows at once) and resolves once that
   * reading is out. Asked while one runs, it waits for it and reads again; asked again before that
   * next reading starts, it shares it.
   */
  refresh(): Promise<void> {
    this.#queued ??= this.#current.then(() => {
      this.#queued = undefined;
      if (this.#stopped) return;
      clearTimeout(this.#timer);
      this.#current = this.#tick()
        .catch((error: unknown) => this.#o.logger.error({ err: error }, 'reading the fleet failed'))
        .finally(() => {
          if (!this.#stopped && !this.#queued)
            this.#timer = setTimeout(() => void this.refresh(), this.#o.pollMs);
        });
      return this.#current;
    });
    return this.#queued;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#current;
  }

  async #tick(): Promise<void> {
    const problems: string[] = [];
    let registry: Registry;
    try {
      registry = await readRegistry(this.#o.db, this.#o.aliveSeconds);
    } catch (error) {
      problems.push(`PostgreSQL: ${(error as Error).message}`);
      registry = {
        processors: [],
        instances: [],
        controls: new Map(),
        switches: new Map(),
        schemas: new Set(),
        outbox: new Map(),
      };
    }
    const [kafka, probes] = await Promise.all([
      this.#readKafka(registry, problems),
      this.#probeAll(registry.instances.filter((i) => i.alive)),
    ]);
    const now = Date.now();
    const { snapshot, readings } = buildSnapshot({
      now,
      pollMs: this.#o.pollMs,
      adminTokenConfigured: this.#o.client.enabled,
      registry,
      kafka,
      problems,
      probes,
      previous: this.#readings,
      localHost: this.#localHost,
    });
    this.#readings = readings;
    this.#snapshot = snapshot;
    const samples: Record<string, Sample> = {};
    for (const p of snapshot.processors) {
      const sample = sampleOf(now, p);
      this.#history.add(p.groupId, sample);
      samples[p.groupId] = sample;
    }
    this.#history.retain(new Set(snapshot.processors.map((p) => p.groupId)));
    for (const listener of this.#listeners) {
      try {
        listener({ snapshot, samples });
      } catch (error) {
        this.#o.logger.warn({ err: error }, 'a snapshot listener failed');
      }
    }
  }

  async #readKafka(registry: Registry, problems: string[]): Promise<KafkaView | null> {
    try {
      return await readKafka(await this.#o.kafkaAdmin(), registry.processors);
    } catch (error) {
      problems.push(`Kafka: ${(error as Error).message}`);
      return null;
    }
  }

  async #probeAll(instances: InstanceRow[]): Promise<Map<string, InstanceProbe>> {
    const entries = await Promise.all(
      instances.map(async (i) => [i.instanceId, await this.#probe(i)] as const),
    );
    return new Map(entries);
  }

  async #probe(instance: InstanceRow): Promise<InstanceProbe> {
    const { client } = this.#o;
    const probe: InstanceProbe = { figures: null, readiness: null, rebuild: null, proc: null, error: null };
    const local = instance.host === this.#localHost;
    const proc = local ? (this.#o.procStats ?? readProcStats)(instance.pid) : Promise.resolve(undefined);
    const base = instance.httpAddress;
    if (base) {
      const timeoutMs = Math.max(1_000, Math.min(this.#o.pollMs, 3_000));
      const errors: string[] = [];
      await Promise.all([
        client.text(base, '/metrics', timeoutMs).then(
          (r) => {
            if (r.status === 200) probe.figures = instanceFigures(r.text);
            else errors.push(`/metrics answered ${r.status}`);
          },
          (e: Error) => errors.push(e.message),
        ),
        client.text(base, '/readyz', timeoutMs).then(
          (r) => {
            const body = safeJson(r.text) as { checks?: { consumerGroup?: { ok?: boolean } } } | undefined;
            const inGroup = body?.checks?.consumerGroup?.ok;
            probe.readiness = {
              ready: r.status === 200,
              inGroup: typeof inGroup === 'boolean' ? inGroup : null,
            };
          },
          (e: Error) => errors.push(e.message),
        ),
        client.enabled
          ? client.admin(base, 'GET', '/admin/rebuild', undefined, timeoutMs).then(
              (r) => {
                if (r.status === 200) probe.rebuild = r.body as RebuildJob;
                else if (r.status !== 404) errors.push(`GET /admin/rebuild answered ${r.status}`);
              },
              (e: Error) => errors.push(e.message),
            )
          : undefined,
      ]);
      // One unreachable instance is one message, not three.
      probe.error = errors.length ? [...new Set(errors)].join('; ') : null;
    }
    probe.proc = (await proc) ?? null;
    return probe;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
