import { usageError } from './cli-error.ts';

/** An ISO 8601 time (`2025-11-27T10:00:00Z`, or a date); returns epoch milliseconds. */
export function parseIsoTime(text: string, option: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}/.test(text.trim()) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms))
    throw usageError(
      'BAD_TIME',
      `${option} "${text}" is not an ISO time; write e.g. 2025-11-27T10:00:00Z or 2025-11-27`,
    );
  return ms;
}
