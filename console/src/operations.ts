import { setTimeout as sleep } from 'node:timers/promises';
import { errorBody, errorBodyOf, errorOfBody } from '@fleet/errors';
import { auditResultOf, errorReply } from '@fleet/service-kit';
import type { AdminClient, AdminResponse } from './admin-client.ts';
import { actingOperator, ConsoleError, errorFromAdmin } from './admin-client.ts';
import { type ProcessorEvents, processorEvents } from './asyncapi-view.ts';
import type { AuditLog } from './audit-log.ts';
import type { Principal } from './auth.ts';
import type { FleetCollector } from './collector.ts';
import { type AdminDeadLetter, type DecodedDeadLetter, decodeDeadLetter } from './dead-letter-view.ts';
import type { InstanceView, ProcessorView, RebuildJob, Sample } from './fleet-model.ts';

/** A dead letter in a list: the admin API's summary. */
export interface DeadLetterSummary {
  processor: string;
  dlqTopic: string;
  partition: number;
  offset: number;
  eventId?: string;
  eventType?: string;
  errorCode?: string;
  errorClass?: string;
  errorMessage?: string;
  attempts?: number;
  failedAt?: string;
  source: { topic?: string; partition?: number; offset?: number };
}

export interface DeadLetterFilter {
  /** Consumer groups; every live processor when empty. */
  processors: string[];
  errorCode?: string | undefined;
  /** Epoch ms bounds of `dlq_failed_at`. */
  since?: number | undefined;
  until?: number | undefined;
  limit: number;
}

export interface DeadLetterList {
  /** Newest first, across the processors asked. */
  deadLetters: (DeadLetterSummary & { groupId: string })[];
  /** Per processor: how many matched (before the limit), or why it could not be read. */
  processors: { groupId: string; name: string; matched: number | null; problem: string | null }[];
}

/** What a write action's caller gets: the status to answer and the body. */
export interface ActionOutcome {
  status: number;
  body: unknown;
}

export interface RequestMeta {
  principal: Principal;
  client: string | undefined;
}

/**
 * What operators do through the console, on the processors' admin API (the operations the
 * `fleet` CLI shares with it). Reads are open to every signed-in operator; every write needs the
 * write role and is audited before and after it runs, refused or not.
 */
export class ConsoleOperations {
  readonly #client: AdminClient;
  readonly #collector: FleetCollector;
  readonly #audit: AuditLog;
  readonly #ackTimeoutMs: number;
  readonly #asyncApi = new Map<string, { at: number; events: ProcessorEvents | { problem: string } }>();

  constructor(options: {
    client: AdminClient;
    collector: FleetCollector;
    audit: AuditLog;
    ackTimeoutMs: number;
  }) {
    this.#client = options.client;
    this.#collector = options.collector;
    this.#audit = options.audit;
    this.#ackTimeoutMs = options.ackTimeoutMs;
  }

  processor(groupId: string): ProcessorView {
    const snapshot = this.#collector.snapshot;
    const p =
      snapshot?.processors.find((x) => x.groupId === groupId) ??
      snapshot?.processors.find((x) => x.name === groupId && x.kind === 'live');
    if (!p)
      throw new ConsoleError(
        'PROCESSOR_UNKNOWN',
        `no processor ${groupId} is registered in fleet.processors${
          snapshot?.processors.length
            ? ` (registered: ${snapshot.processors.map((x) => x.groupId).join(', ')})`
            : ''
        }`,
      );
    return p;
  }

  /** The live instances whose admin API to call, the one that answered last first. */
  #instances(p: ProcessorView): InstanceView[] {
    if (!p.admin.usable)
      throw new ConsoleError('ADMIN_UNAVAILABLE', p.admin.reason ?? 'admin API unavailable');
    return p.instances
      .filter((i) => i.alive && i.httpAddress)
      .sort((a, b) => Number(a.probeError !== null) - Number(b.probeError !== null));
  }

  /** Calls the admin API of a live instance of the processor, trying the next when one is unreachable. */
  async #call(
    p: ProcessorView,
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    body?: unknown,
    instance?: InstanceView,
  ): Promise<AdminResponse & { instanceId: string }> {
    const candidates = instance ? [instance] : this.#instances(p);
    let last: unknown;
    for (const i of candidates) {
      try {
        const r = await this.#client.admin(i.httpAddress as string, method, path, body);
        return { ...r, instanceId: i.id };
      } catch (error) {
        last = error;
        if (!(error instanceof ConsoleError) || error.code !== 'INSTANCE_UNREACHABLE') throw error;
      }
    }
    throw last ?? new ConsoleError('ADMIN_UNAVAILABLE', `no live instance of ${p.name} answered`);
  }

  async #callOk<T>(
    p: ProcessorView,
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    body?: unknown,
  ): Promise<T> {
    const r = await this.#call(p, method, path, body);
    if (r.status >= 200 && r.status < 300) return r.body as T;
    throw errorFromAdmin(r);
  }

  // ── reads ───────────────────────────────────────────────────────────────────────────────────

  async processorDetail(groupId: string): Promise<{
    processor: ProcessorView;
    history: Sample[];
    events: ProcessorEvents | { problem: string };
    recentDeadLetters: DeadLetterSummary[] | { problem: string };
  }> {
    const p = this.processor(groupId);
    const [events, recent] = await Promise.all([
      this.#events(p),
      p.admin.usable
        ? this.deadLetters({ processors: [p.groupId], since: Date.now() - 86_400_000, limit: 20 }).then(
            (l) => (l.processors[0]?.problem ? { problem: l.processors[0].problem } : l.deadLetters),
            (e: Error) => ({ problem: e.message }),
          )
        : Promise.resolve({ problem: p.admin.reason ?? 'admin API unavailable' }),
    ]);
    return {
      processor: p,
      history: this.#collector.history()[p.groupId] ?? [],
      events,
      recentDeadLetters: recent,
    };
  }

  /** The events a processor reads and writes, from its /asyncapi.yaml (kept for a minute). */
  async #events(p: ProcessorView): Promise<ProcessorEvents | { problem: string }> {
    const cached = this.#asyncApi.get(p.groupId);
    if (cached && Date.now() - cached.at < 60_000) return cached.events;
    const instance = p.instances.find((i) => i.alive && i.httpAddress);
    if (!instance?.httpAddress)
      return cached?.events ?? { problem: 'no live instance serves /asyncapi.yaml' };
    let events: ProcessorEvents | { problem: string };
    try {
      const r = await this.#client.text(instance.httpAddress, '/asyncapi.yaml');
      events =
        r.status === 200
          ? processorEvents(r.text, p.topics)
          : { problem: `/asyncapi.yaml answered ${r.status} (an older runtime?)` };
    } catch (error) {
      events = { problem: (error as Error).message };
    }
    this.#asyncApi.set(p.groupId, { at: Date.now(), events });
    return events;
  }

  async deadLetters(filter: DeadLetterFilter): Promise<DeadLetterList> {
    const all = this.#collector.snapshot?.processors.filter((p) => p.kind === 'live') ?? [];
    const chosen = filter.processors.length ? filter.processors.map((g) => this.processor(g)) : all;
    const query = new URLSearchParams({ limit: '10000' });
    if (filter.errorCode) query.set('errorCode', filter.errorCode);
    if (filter.since !== undefined) query.set('since', new Date(filter.since).toISOString());
    const results = await Promise.all(
      chosen.map(async (p) => {
        if (!p.admin.usable)
          return {
            p,
            letters: [] as DeadLetterSummary[],
            problem: p.admin.reason ?? 'admin API unavailable',
          };
        if (p.dlqCount === 0) return { p, letters: [], problem: null };
        try {
          const body = await this.#callOk<{ total: number; deadLetters: DeadLetterSummary[] }>(
            p,
            'GET',
            `/admin/dlq?${query}`,
          );
          const letters = body.deadLetters.filter(
            (l) =>
              filter.until === undefined ||
              (l.failedAt !== undefined && Date.parse(l.failedAt) <= filter.until),
          );
          return { p, letters, problem: null };
        } catch (error) {
          return { p, letters: [], problem: (error as Error).message };
        }
      }),
    );
    const merged = results
      .flatMap((r) => r.letters.map((l) => ({ ...l, groupId: r.p.groupId })))
      .sort(
        (a, b) =>
          (b.failedAt ?? '').localeCompare(a.failedAt ?? '') ||
          b.partition - a.partition ||
          b.offset - a.offset,
      );
    return {
      deadLetters: merged.slice(0, filter.limit),
      processors: results.map((r) => ({
        groupId: r.p.groupId,
        name: r.p.name,
        matched: r.problem ? null : r.letters.length,
        problem: r.problem,
      })),
    };
  }

  async deadLetter(groupId: string, partition: number, offset: number): Promise<DecodedDeadLetter> {
    const p = this.processor(groupId);
    return decodeDeadLetter(
      await this.#callOk<AdminDeadLetter>(p, 'GET', `/admin/dlq/${partition}/${offset}`),
    );
  }

  /** The admin API's replay plan without moving anything: the retention check a replay or rebuild needs. */
  async replayPlan(groupId: string, request: Record<string, unknown>): Promise<ActionOutcome> {
    const p = this.processor(groupId);
    const r = await this.#call(p, 'POST', '/admin/replay', { ...request, dryRun: true });
    // REPLAY_PARTIAL is the check's finding (the gaps are in its details), not a failure.
    return relay(r);
  }

  async rebuildJob(groupId: string): Promise<{ instanceId: string; job: RebuildJob } | null> {
    return this.processor(groupId).rebuild;
  }

  // ── writes ──────────────────────────────────────────────────────────────────────────────────

  /** Runs a write action with its audit record: denied without the write role, recorded either way. */
  async write(
    meta: RequestMeta,
    action: string,
    groupId: string | undefined,
    args: unknown,
    run: () => Promise<ActionOutcome>,
  ): Promise<ActionOutcome> {
    const base = {
      principal: meta.principal,
      action,
      processor: groupId,
      arguments: args,
      client: meta.client,
    };
    if (meta.principal.role !== 'write') {
      const body = errorBody(
        'READ_ONLY',
        `${meta.principal.actor} signed in with a read token: it shows everything and changes nothing; sign in with a write token to ${action}`,
      );
      await this.#audit.record({ ...base, result: 'denied', status: 403, detail: body });
      return { status: 403, body };
    }
    const id = await this.#audit.begin(base);
    let outcome: ActionOutcome;
    let unexpected: unknown;
    try {
      outcome = await actingOperator.run(meta.principal.actor, run);
    } catch (error) {
      // Recorded as it is answered: an unexpected error as "internal error", its detail for the log only.
      const reply = errorReply(error);
      outcome = { status: reply.status, body: reply.body };
      if (!reply.expected) unexpected = error;
    }
    await this.#audit.finish(id, auditResultOf(outcome.status), outcome.status, outcome.body);
    void this.#collector.refresh();
    // The server's error handler logs it and answers the same 500.
    if (unexpected !== undefined) throw unexpected;
    return outcome;
  }

  async pause(groupId: string, paused: boolean): Promise<ActionOutcome> {
    const p = this.processor(groupId);
    const r = await this.#call(p, 'POST', paused ? '/admin/pause' : '/admin/resume');
    if (r.status >= 300) return relay(r);
    return {
      status: 200,
      body: { requested: paused ? 'pause' : 'resume', ...(await this.#waitAck(p, paused)) },
    };
  }

  /** Waits until every live instance reports the requested state (as `fleet pause` does). */
  async #waitAck(p: ProcessorView, paused: boolean): Promise<{ acknowledged: string[]; waiting: string[] }> {
    const deadline = Date.now() + this.#ackTimeoutMs;
    for (;;) {
      await this.#collector.refresh();
      const now = this.processor(p.groupId);
      const alive = now.instances.filter((i) => i.alive);
      const acknowledged = alive.filter((i) => i.paused === paused).map((i) => i.id);
      const waiting = alive.filter((i) => i.paused !== paused).map((i) => i.id);
      if (waiting.length === 0 || Date.now() >= deadline) return { acknowledged, waiting };
      await sleep(200);
    }
  }

  async redrive(groupId: string, selection: Record<string, unknown>): Promise<ActionOutcome> {
    const r = await this.#call(this.processor(groupId), 'POST', '/admin/dlq/redrive', selection);
    return relay(r);
  }

  /** Purges only when the operator typed the processor's name: anything else is refused here. */
  async purge(groupId: string, typed: unknown): Promise<ActionOutcome> {
    const p = this.processor(groupId);
    if (typed !== p.name)
      return {
        status: 409,
        body: errorBody(
          'CONFIRMATION_REQUIRED',
          `purging deletes the dead letters of ${p.name} for good: type the processor's name (${p.name}) to confirm${
            typeof typed === 'string' && typed ? `; "${typed.slice(0, 80)}" is not it` : ''
          }`,
          { expected: p.name },
        ),
      };
    const r = await this.#call(p, 'POST', '/admin/dlq/purge', { confirm: true });
    return relay(r);
  }

  async replay(groupId: string, request: Record<string, unknown>): Promise<ActionOutcome> {
    const r = await this.#call(this.processor(groupId), 'POST', '/admin/replay', {
      ...request,
      dryRun: false,
    });
    return relay(r);
  }

  async rebuild(groupId: string, request: Record<string, unknown>): Promise<ActionOutcome> {
    const r = await this.#call(this.processor(groupId), 'POST', '/admin/rebuild', request);
    return relay(r, { instanceId: r.instanceId });
  }

  /** Aborts the running job on the instance that runs it. */
  async abortRebuild(groupId: string): Promise<ActionOutcome> {
    const p = this.processor(groupId);
    const running = p.rebuild?.job.state === 'running' ? p.rebuild : null;
    const instance = running ? p.instances.find((i) => i.id === running.instanceId) : undefined;
    if (!running || !instance)
      return { status: 404, body: errorBody('NO_REBUILD', `no rebuild of ${p.name} is running`) };
    const r = await this.#call(p, 'DELETE', '/admin/rebuild', undefined, instance);
    return relay(r);
  }

  async rollback(groupId: string): Promise<ActionOutcome> {
    const r = await this.#call(this.processor(groupId), 'POST', '/admin/rebuild/rollback');
    return relay(r, { instanceId: r.instanceId });
  }

  async finalize(groupId: string): Promise<ActionOutcome> {
    const r = await this.#call(this.processor(groupId), 'POST', '/admin/rebuild/finalize');
    return relay(r);
  }
}

/**
 * An instance's answer as the console's: a success as it is (with `extra`, e.g. which instance took
 * it), an error in the fleet's shape as it is, any other error as INSTANCE_ERROR.
 */
function relay(r: AdminResponse, extra: Record<string, unknown> = {}): ActionOutcome {
  if (r.status < 300) return { status: r.status, body: { ...(r.body as object), ...extra } };
  if (errorOfBody(r.body)) return { status: r.status, body: r.body };
  const error = errorFromAdmin(r);
  return { status: error.httpStatus, body: errorBodyOf(error) };
}
