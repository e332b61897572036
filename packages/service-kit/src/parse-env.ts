import type { z } from 'zod';
import { ConfigError } from './config-error.ts';

export interface ParseEnvOptions {
  /** Names the configuration in the error: `invalid <subject>:`. */
  subject?: string;
  /** Rules across variables, on the raw environment (e.g. `connectionProblems`). */
  checks?: (env: Record<string, string | undefined>) => string[];
}

/**
 * Validates the environment against a service's schema. An empty variable means unset (as in
 * `HTTP_PORT=` copied from .env.example), so defaults apply. Every problem is reported at once.
 */
export function parseEnv<S extends z.ZodType>(
  schema: S,
  env: NodeJS.ProcessEnv,
  options: ParseEnvOptions = {},
): z.output<S> {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(present);
  const problems = [
    ...(parsed.success
      ? []
      : parsed.error.issues.map((i) => {
          const name = i.path.join('.') || '(env)';
          const unset = i.code === 'invalid_type' && present[String(i.path[0])] === undefined;
          return `${name}: ${unset ? 'is required but not set' : i.message}`;
        })),
    ...(options.checks?.(present) ?? []),
  ];
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems, options.subject);
  return parsed.data;
}
