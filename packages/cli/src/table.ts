import Table from 'cli-table3';
import { terminalSafe } from './terminal-safe.ts';

/** A plain table (no colours, so it reads the same in a terminal, a pipe and a test); cells made terminal-safe. */
export function renderTable(head: string[], rows: (string | number)[][]): string {
  const table = new Table({ head, style: { head: [], border: [] } });
  table.push(...rows.map((r) => r.map((c) => terminalSafe(String(c)))));
  return `${table.toString()}\n`;
}

export const truncate = (text: string | undefined, max: number): string =>
  text === undefined ? '' : text.length > max ? `${text.slice(0, max - 1)}…` : text;
