import { z } from 'zod';
import { readSecret, secretGiven, secretProblems } from './config-files.ts';
import { parseEnv } from './parse-env.ts';

/** The Schema Registry variables every service and tool reads, with the same names and rules. */
export const registryEnv = {
  SCHEMA_REGISTRY_URL: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }),
  SCHEMA_REGISTRY_USERNAME: z.string().optional(),
  SCHEMA_REGISTRY_PASSWORD: z.string().optional(),
  SCHEMA_REGISTRY_PASSWORD_FILE: z.string().optional(),
};

type Env = Record<string, string | undefined>;
type RegistryEnv = z.output<z.ZodObject<typeof registryEnv>>;

export interface RegistrySettings {
  url: string;
  /** Basic auth, sent with every request. */
  auth: { username: string; password: string } | undefined;
}

const loopback = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Basic auth needs both halves, and TLS unless the registry is on this machine: over plain http the
 * password would cross the network as it is.
 */
export function registryProblems(env: Env): string[] {
  const problems = secretProblems(env, 'SCHEMA_REGISTRY_PASSWORD');
  const auth = Boolean(env.SCHEMA_REGISTRY_USERNAME) || secretGiven(env, 'SCHEMA_REGISTRY_PASSWORD');
  if (Boolean(env.SCHEMA_REGISTRY_USERNAME) !== secretGiven(env, 'SCHEMA_REGISTRY_PASSWORD'))
    problems.push(
      'SCHEMA_REGISTRY_USERNAME: set both SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD (or _FILE), or neither',
    );
  const url = URL.parse(env.SCHEMA_REGISTRY_URL ?? '');
  if (auth && url?.protocol === 'http:' && !loopback.has(url.hostname))
    problems.push(
      `SCHEMA_REGISTRY_URL: basic auth over http:// would send the password as it is to ${url.hostname}: use https://`,
    );
  return problems;
}

const registrySchema = z.object(registryEnv);

/** The registry's settings alone, for a tool that needs no Kafka; a ConfigError lists every problem. */
export function loadRegistrySettings(env: Env, subject = 'registry settings'): RegistrySettings {
  return registrySettings(parseEnv(registrySchema, env, { subject, checks: registryProblems }));
}

export function registrySettings(e: RegistryEnv): RegistrySettings {
  const password = readSecret(e as Env, 'SCHEMA_REGISTRY_PASSWORD');
  return {
    url: e.SCHEMA_REGISTRY_URL,
    auth:
      e.SCHEMA_REGISTRY_USERNAME && password !== undefined
        ? { username: e.SCHEMA_REGISTRY_USERNAME, password }
        : undefined,
  };
}
