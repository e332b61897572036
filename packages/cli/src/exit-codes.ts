/** What `fleet` exits with; scripts can rely on these. */
export const ExitCode = {
  /** Done. */
  ok: 0,
  /** The command failed (Kafka or Postgres refused, an unexpected error). */
  failed: 1,
  /** The command line is wrong: unknown command or option, a bad value, an unknown processor, a bad setting. */
  usage: 2,
  /** Refused: it needs confirmation or a flag (`--yes`, `--accept-partial`), or the processor must be stopped first. */
  refused: 3,
  /** Timed out waiting for instances to acknowledge. */
  timedOut: 4,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
