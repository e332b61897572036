import type { CliIo } from './cli-io.ts';
import type { FleetConnections } from './fleet-connections.ts';

/** What every command gets: where to write, its connections, and whether to print JSON. */
export interface CommandContext {
  io: CliIo;
  connections: FleetConnections;
  json: boolean;
}

export const print = (ctx: CommandContext, text: string) =>
  ctx.io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);

export const printJson = (ctx: CommandContext, value: unknown) =>
  ctx.io.stdout.write(`${JSON.stringify(value, jsonReplacer, 2)}\n`);

function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  return value;
}
