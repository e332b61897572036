import { usageError } from './cli-error.ts';

const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `30s`, `1500ms`, `2m`, `1h`; a bare number is seconds. */
export function parseDuration(text: string, option = '--timeout'): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match)
    throw usageError(
      'BAD_DURATION',
      `${option} ${JSON.stringify(text)} is not a duration; write e.g. 30s, 1500ms, 2m or 1h`,
    );
  return Math.round(Number(match[1]) * (units[match[2] ?? 's'] ?? 1000));
}
