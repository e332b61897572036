import type { FailureKind } from './failure-kind.ts';
import type { RouteOptions } from './route.ts';

/** Between attempts of a failing handler when the route names no backoff. */
export const DEFAULT_BACKOFF = { initialMs: 100, maxMs: 2_000 } as const;

/** The longest wait a route may ask for between attempts: longer holds the partition for nothing. */
export const MAX_BACKOFF_MS = 300_000;

/** The wait before attempt `attempt + 1`: doubling from `initialMs`, at most `maxMs`. */
export function backoffMs(options: RouteOptions, attempt: number): number {
  const { initialMs, maxMs } = options.backoff ?? DEFAULT_BACKOFF;
  return Math.min(initialMs * 2 ** Math.min(attempt - 1, 30), maxMs);
}

/**
 * What follows a handler's failure on its `attempt`-th try: another attempt; the dead-letter topic
 * (out of attempts, or a PermanentError); or, for a route whose `onExhausted` is `stop`, a hold: the
 * partition stays at the event, retried at the backoff's longest wait, until it succeeds.
 */
export function afterFailure(
  options: RouteOptions,
  kind: FailureKind,
  attempt: number,
  defaultMaxAttempts: number,
): 'retry' | 'dead-letter' | 'hold' {
  if (kind !== 'permanent' && attempt < (options.maxAttempts ?? defaultMaxAttempts)) return 'retry';
  return options.onExhausted === 'stop' ? 'hold' : 'dead-letter';
}
