import cliProgress from 'cli-progress';
import type { CliIo } from './cli-io.ts';

export interface Progress {
  increment(by?: number): void;
  stop(): void;
}

const silent: Progress = { increment: () => {}, stop: () => {} };

/** A bar on stderr for long reads, only when a person watches (stderr is a TTY and not `--json`). */
export function startProgress(io: CliIo, total: number, label: string, json: boolean): Progress {
  if (json || !io.stderr.isTTY || total < 200) return silent;
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {value}/{total} {percentage}% {eta_formatted}`,
      stream: io.stderr as NodeJS.WritableStream,
      clearOnComplete: true,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return { increment: (by = 1) => bar.increment(by), stop: () => bar.stop() };
}

/** The same bar for an operation that learns its total once it starts reading. */
export function readProgress(io: CliIo, label: string, json: boolean) {
  let bar = silent;
  return {
    onTotal: (total: number) => {
      bar = startProgress(io, total, label, json);
    },
    onRecord: () => bar.increment(),
    stop: () => bar.stop(),
  };
}
