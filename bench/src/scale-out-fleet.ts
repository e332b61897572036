import { type ChildProcess, fork } from 'node:child_process';
import type { InstanceMessage, InstanceReport, ParentMessage } from './scale-out-protocol.ts';
import type { ScenarioInput } from './scenario.ts';

const entry = new URL('./scale-out-instance.ts', import.meta.url);

/** One applied sub-batch of one instance: the group's applied-events timeline is a list of these. */
export interface AppliedBatch {
  at: number;
  instance: string;
  partition: number;
  records: number;
}

/** A member noticing a rebalance (and rejoining), or having joined and synced. */
export interface MembershipChange {
  at: number;
  instance: string;
  kind: 'rebalancing' | 'joined';
  /** Joined: its partitions. */
  partitions?: number[];
}

/** Instances are named a, b, c, … in the order they start. */
export const instanceNames = (k: number) => Array.from({ length: k }, (_, i) => String.fromCharCode(97 + i));

export interface InstanceHandle {
  name: string;
  child: ChildProcess;
  spawnedAt: number;
  /** When Node had started and loaded the runtime's code. */
  booted: Promise<number>;
  /** When it was told to join (start its runtime). */
  joinAskedAt: number | undefined;
  /** When its runtime had started (joined the group). */
  started: Promise<number>;
  /** When the first events reached its handler. */
  firstHandledAt: number | undefined;
  /** Its report after a graceful stop. */
  stopped: Promise<{ at: number; report: InstanceReport }>;
  /** Events it handed to its handler so far (new IDs). */
  fresh: number;
  firstAppliedAt: number | undefined;
}

/**
 * Instances of processor D, each a separate OS process (`scale-out-instance.ts`) and consumer-group
 * member on the same schema and group, and the timeline of every sub-batch they applied.
 */
export class InstanceFleet {
  readonly applied: AppliedBatch[] = [];
  readonly membership: MembershipChange[] = [];
  /** The report of every instance stopped so far, by name. */
  readonly reports = new Map<string, InstanceReport>();
  readonly #input: ScenarioInput;
  readonly #instances = new Map<string, InstanceHandle>();
  readonly #failures: Error[] = [];

  constructor(input: ScenarioInput) {
    this.#input = input;
  }

  get instances(): InstanceHandle[] {
    return [...this.#instances.values()];
  }

  /** Events handed to a handler by every instance so far (new event IDs; redeliveries are not in it). */
  freshTotal(): number {
    return this.instances.reduce((n, i) => n + i.fresh, 0);
  }

  /** Throws the first failure of an instance (an error it reported, or an exit nobody asked for). */
  check(): void {
    if (this.#failures[0]) throw this.#failures[0];
  }

  /** Starts an instance's process and tells it to join as soon as it has booted. */
  start(name: string): InstanceHandle {
    const handle = this.spawn(name);
    handle.booted.then(
      () => this.join(name),
      () => {},
    );
    return handle;
  }

  /** Tells a booted instance to start its runtime (join the group). */
  join(name: string): void {
    const handle = this.#instances.get(name);
    if (!handle) throw new Error(`instance ${name} is not running`);
    handle.joinAskedAt = Date.now();
    this.#send(handle, { kind: 'join' });
  }

  /** Starts an instance's process; it loads the runtime's code and waits to be told to join. */
  spawn(name: string): InstanceHandle {
    if (this.#instances.has(name)) throw new Error(`instance ${name} already started`);
    const child = fork(entry, [], {
      env: {
        KAFKAJS_NO_PARTITIONER_WARNING: '1',
        ...process.env,
        BENCH_SCENARIO: JSON.stringify(this.#input),
      },
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    // Its logs (warnings and errors only, LOG_LEVEL=warn) go to our stderr, so --json keeps stdout clean.
    child.stdout?.pipe(process.stderr, { end: false });
    const booted = Promise.withResolvers<number>();
    const started = Promise.withResolvers<number>();
    const stopped = Promise.withResolvers<{ at: number; report: InstanceReport }>();
    const handle: InstanceHandle = {
      name,
      child,
      spawnedAt: Date.now(),
      booted: booted.promise,
      joinAskedAt: undefined,
      started: started.promise,
      firstHandledAt: undefined,
      stopped: stopped.promise,
      fresh: 0,
      firstAppliedAt: undefined,
    };
    let done = false;
    const fail = (error: Error) => {
      if (done) return;
      done = true;
      this.#failures.push(error);
      booted.reject(error);
      started.reject(error);
      stopped.reject(error);
    };
    child.on('message', (m: InstanceMessage) => {
      if (m.kind === 'applied') {
        handle.fresh = m.fresh;
        handle.firstAppliedAt ??= m.at;
        this.applied.push({ at: m.at, instance: name, partition: m.partition, records: m.records });
      } else if (m.kind === 'rebalancing') this.membership.push({ at: m.at, instance: name, kind: m.kind });
      else if (m.kind === 'joined')
        this.membership.push({ at: m.at, instance: name, kind: m.kind, partitions: m.partitions });
      else if (m.kind === 'booted') booted.resolve(m.at);
      else if (m.kind === 'started') started.resolve(m.at);
      else if (m.kind === 'handled') handle.firstHandledAt = m.at;
      else if (m.kind === 'stopped') {
        done = true;
        stopped.resolve({ at: m.at, report: m.report });
      } else fail(new Error(`instance ${name} failed:\n${m.message}`));
    });
    child.on('exit', (code, signal) =>
      fail(new Error(`instance ${name} exited (${code ?? signal}) unasked`)),
    );
    booted.promise.catch(() => {});
    started.promise.catch(() => {});
    stopped.promise.catch(() => {});
    this.#instances.set(name, handle);
    return handle;
  }

  /** Notes the start of the measured window in every running instance (their CPU time from here). */
  mark(): void {
    for (const i of this.instances) this.#send(i, { kind: 'mark' });
  }

  /** Graceful stop of one instance; resolves with when it was asked and its report. */
  async stop(name: string): Promise<{ askedAt: number; at: number; report: InstanceReport }> {
    const handle = this.#instances.get(name);
    if (!handle) throw new Error(`instance ${name} is not running`);
    const askedAt = Date.now();
    this.#send(handle, { kind: 'stop' });
    const { at, report } = await handle.stopped;
    this.#instances.delete(name);
    this.reports.set(name, report);
    return { askedAt, at, report };
  }

  /** Graceful stop of every running instance at once (their reports join `reports`). */
  async stopAll(): Promise<void> {
    await Promise.all(this.instances.map((i) => this.stop(i.name)));
  }

  /** After a failure: SIGKILL what is left of this fleet's own processes. */
  kill(): void {
    for (const i of this.instances) if (i.child.exitCode === null) i.child.kill('SIGKILL');
    this.#instances.clear();
  }

  #send(handle: InstanceHandle, message: ParentMessage): void {
    if (handle.child.connected) handle.child.send(message);
  }
}
