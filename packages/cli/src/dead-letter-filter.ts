import type { DeadLetterRecord } from './dead-letter-record.ts';

export interface DeadLetterFilter {
  errorCode?: string | undefined;
  /** Epoch ms: dead-lettered at or after. */
  since?: number | undefined;
}

export function matchesFilter(letter: DeadLetterRecord, filter: DeadLetterFilter): boolean {
  if (filter.errorCode !== undefined && letter.errorCode !== filter.errorCode) return false;
  if (filter.since !== undefined) {
    const failedAt = letter.failedAt ? Date.parse(letter.failedAt) : Number.NaN;
    if (Number.isNaN(failedAt) || failedAt < filter.since) return false;
  }
  return true;
}
