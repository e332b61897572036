const units = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `250ms`, `30s`, `1m`, `24h`, `7d` or a bare number of milliseconds. */
export function parseDuration(text: string): number | undefined {
  const match = /^\s*(\d+)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * units[(match[2] ?? 'ms') as keyof typeof units];
}
