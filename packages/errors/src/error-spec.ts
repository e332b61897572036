/** What the fleet's command-line programs exit with; scripts can rely on these. */
export const ExitCode = {
  /** Done. */
  ok: 0,
  /** The command failed (Kafka or PostgreSQL refused, an unexpected error). */
  failed: 1,
  /** The command line or a setting is wrong: unknown command or option, a bad value, an unknown processor. */
  usage: 2,
  /** Refused: it needs confirmation or a flag (`--yes`, `--accept-partial`), or the processor must be stopped first. */
  refused: 3,
  /** Timed out waiting for instances to acknowledge. */
  timedOut: 4,
  /** A service's configuration is invalid (sysexits' EX_CONFIG): it did not start. */
  config: 78,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** One entry of the catalogue: what a code means and how each front end reports it. */
export interface ErrorSpec {
  /** What went wrong, for the reader of a log line, a dead letter or an HTTP answer. */
  description: string;
  /** The HTTP status an API answers with when this error ends a request. */
  httpStatus: number;
  /** What the `fleet` CLI (or a service's main) exits with when this error ends it. */
  exitCode: ExitCodeValue;
  /** What `details` holds, for codes that carry structured context. */
  details?: string;
}

/** A group of codes, as the reference (docs/errors.md) presents them. */
export interface ErrorArea {
  title: string;
  /** Who meets these errors and where. */
  intro: string;
  codes: Readonly<Record<string, ErrorSpec>>;
}
