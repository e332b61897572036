import { setTimeout as sleep } from 'node:timers/promises';
import { errorCode } from '../errors.ts';
import { RebuildError } from '../rebuild/rebuild-error.ts';
import type { RebuildOptions, RebuildProgress, RebuildResult } from '../rebuild/rebuild-processor.ts';

export type RebuildRun = (options: Omit<RebuildOptions, 'config' | 'startReplica'>) => Promise<RebuildResult>;

export interface RebuildJob {
  kind: 'rebuild' | 'rollback';
  state: 'running' | 'done' | 'failed' | 'aborted';
  startedAt: string;
  finishedAt: string | null;
  progress: RebuildProgress | null;
  result: RebuildResult | null;
  error: { code: string; message: string } | null;
}

/**
 * The rebuild or rollback an admin API request started in this process, run in the background so
 * that a dashboard can poll its progress and abort it. Refusals (a rebuild elsewhere, a retention
 * gap, an unfinalized previous version) come before any progress: `start` waits for the first
 * progress report (or a few seconds) so that the request that asked gets them as its answer.
 */
export class RebuildJobs {
  #job: RebuildJob | undefined;
  #abort: AbortController | undefined;
  #done: Promise<void> | undefined;

  get current(): RebuildJob | undefined {
    return this.#job;
  }

  async start(
    kind: RebuildJob['kind'],
    run: RebuildRun,
    options: Pick<RebuildOptions, 'from' | 'acceptPartial'>,
  ): Promise<RebuildJob> {
    if (this.#job?.state === 'running')
      throw new RebuildError(
        'REBUILD_IN_PROGRESS',
        `a ${this.#job.kind} started ${this.#job.startedAt} is still running in this instance; poll GET /admin/rebuild or abort it with DELETE /admin/rebuild`,
      );
    const job: RebuildJob = {
      kind,
      state: 'running',
      startedAt: new Date().toISOString(),
      finishedAt: null,
      progress: null,
      result: null,
      error: null,
    };
    const abort = new AbortController();
    const started = Promise.withResolvers<void>();
    let failure: unknown;
    this.#job = job;
    this.#abort = abort;
    this.#done = run({
      ...options,
      signal: abort.signal,
      onProgress: (progress) => {
        job.progress = progress;
        started.resolve();
      },
    }).then(
      (result) => {
        job.state = 'done';
        job.result = result;
      },
      (error: unknown) => {
        failure = error;
        job.state = abort.signal.aborted ? 'aborted' : 'failed';
        job.error = { code: errorCode(error), message: (error as Error).message ?? String(error) };
      },
    );
    void this.#done.finally(() => {
      job.finishedAt = new Date().toISOString();
      started.resolve();
    });
    await Promise.race([started.promise, sleep(5_000)]);
    if (job.state === 'failed' && job.progress === null) throw failure;
    return job;
  }

  /** Asks the running job to stop (the live version stays untouched); resolves once it has. */
  async abort(): Promise<RebuildJob | undefined> {
    if (this.#job?.state !== 'running') return undefined;
    this.#abort?.abort();
    await this.#done;
    return this.#job;
  }
}
