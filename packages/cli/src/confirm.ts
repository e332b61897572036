import { createInterface } from 'node:readline/promises';
import type { CliIo } from './cli-io.ts';

/** Asks a yes/no question on a TTY; `undefined` when there is no TTY to ask on. */
export async function confirm(io: CliIo, question: string): Promise<boolean | undefined> {
  if (!io.stdin?.isTTY) return undefined;
  const rl = createInterface({ input: io.stdin, output: io.stderr as NodeJS.WritableStream });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
