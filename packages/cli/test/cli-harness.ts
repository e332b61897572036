import { infraSettings } from '@fleet/testkit';
import { runCli } from '../src/run-cli.ts';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed, for `--json` runs. */
  json<T = Record<string, unknown>>(): T;
}

/** Runs `fleet …` the way a user does (same parser, same output), against a test database. */
export async function fleet(
  argv: string[],
  env: { databaseUrl: string; vars?: Record<string, string> },
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: {
      KAFKA_BROKERS: infraSettings().kafkaBrokers.join(','),
      SCHEMA_REGISTRY_URL: infraSettings().schemaRegistryUrl,
      DATABASE_URL: env.databaseUrl,
      ...env.vars,
    },
  });
  return { code, stdout, stderr, json: <T>() => JSON.parse(stdout) as T };
}
