/** Where a command writes and what it reads: the process's streams in `main.ts`, buffers in tests. */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: Record<string, string | undefined>;
  /** Only a TTY stdin is asked for confirmation; anything else is treated as "no TTY". */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
}

export const processIo = (): CliIo => ({
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  stdin: process.stdin,
});
