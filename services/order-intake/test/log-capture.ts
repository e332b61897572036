import { pino } from 'pino';

/** A logger whose lines are kept (parsed) for assertions, and the raw text to search for leaks. */
export function capturedLogger() {
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
  return {
    logger,
    text: () => lines.join(''),
    entries: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}
