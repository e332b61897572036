import { setTimeout as sleep } from 'node:timers/promises';
import pRetry, { AbortError } from 'p-retry';
import { isTransientError } from './failure-kind.ts';
import type { Logger } from './logger.ts';
import type { ProcessorMetrics } from './processor-metrics.ts';

/** Asked between retries: it heartbeats the group session and says whether the consumer still runs. */
export type KeepGoing = () => Promise<boolean>;

/** The consumer stopped running (shutdown, rebalance) while a sub-batch waited: it is given up, unresolved. */
export class StoppedError extends Error {}

/** Where retries are counted and logged. */
export interface RetryReporting {
  processor: string;
  logger: Logger;
  metrics: ProcessorMetrics;
}

/** Retries transient failures (connection loss, deadlock, broker unavailable) with backoff, in place. */
export function retryTransient<T>(
  what: string,
  keepGoing: KeepGoing,
  work: () => Promise<T>,
  reporting: RetryReporting,
): Promise<T> {
  return pRetry(work, {
    retries: Number.POSITIVE_INFINITY,
    minTimeout: 100,
    maxTimeout: 10_000,
    randomize: true,
    shouldRetry: ({ error }) => isTransientError(error),
    onFailedAttempt: async ({ error, attemptNumber }) => {
      if (!isTransientError(error)) return;
      reporting.metrics.retries.add(1, { processor: reporting.processor, kind: 'transient' });
      reporting.logger.warn({ err: error, attempt: attemptNumber }, `${what} failed transiently; retrying`);
      if (!(await keepGoing())) throw new AbortError(new StoppedError(`stopped while retrying: ${what}`));
    },
  });
}

/** Waits in slices short enough to heartbeat the group session; throws StoppedError once it stops. */
export async function waitHeartbeating(ms: number, keepGoing: KeepGoing): Promise<void> {
  for (let left = ms; left > 0; left -= 1_000) {
    await sleep(Math.min(left, 1_000));
    if (!(await keepGoing())) throw new StoppedError('stopped while waiting to retry');
  }
}
