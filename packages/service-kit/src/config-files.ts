import { readFileSync } from 'node:fs';

type Env = Record<string, string | undefined>;

/** What a PEM file must hold to be of use: `ca` a certificate, `key` a private key. */
const pemMarkers = {
  certificate: /-----BEGIN CERTIFICATE-----/,
  'private key': /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/,
} as const;

export type PemKind = keyof typeof pemMarkers;

function read(path: string): string | Error {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    return error as Error;
  }
}

/**
 * Why the PEM file `env[name]` is of no use (unreadable, or not a PEM of that kind), or undefined when
 * it is fine or unset. Checked at start-up, so a wrong path is named with the other problems instead
 * of surfacing as a TLS handshake error on the first connection.
 */
export function pemFileProblem(env: Env, name: string, kind: PemKind): string | undefined {
  const path = env[name];
  if (!path) return undefined;
  const text = read(path);
  if (text instanceof Error) return `${name}: cannot read ${path}: ${text.message}`;
  if (!pemMarkers[kind].test(text)) return `${name}: ${path} holds no PEM ${kind} (-----BEGIN …-----)`;
  return undefined;
}

/** The content of the file `env[name]`; only after its problems were checked (missing: a ConfigError). */
export function readConfigFile(env: Env, name: string): string | undefined {
  const path = env[name];
  if (!path) return undefined;
  const text = read(path);
  if (text instanceof Error) throw new Error(`${name}: cannot read ${path}: ${text.message}`);
  return text;
}

/**
 * A secret given as `NAME` or as `NAME_FILE` (a path, e.g. a mounted Kubernetes Secret, so the value
 * stays out of the environment and of `ps`): the problems of the pair, or [] when it is fine or unset.
 */
export function secretProblems(env: Env, name: string): string[] {
  const path = env[`${name}_FILE`];
  if (env[name] && path) return [`${name}: set ${name} or ${name}_FILE, not both`];
  if (!path) return [];
  const text = read(path);
  if (text instanceof Error) return [`${name}_FILE: cannot read ${path}: ${text.message}`];
  if (trimmed(text) === '') return [`${name}_FILE: ${path} is empty`];
  return [];
}

/** Whether `NAME` or `NAME_FILE` is given. */
export function secretGiven(env: Env, name: string): boolean {
  return Boolean(env[name] || env[`${name}_FILE`]);
}

/** The secret from `NAME`, else from the file `NAME_FILE` (one trailing line break dropped). */
export function readSecret(env: Env, name: string): string | undefined {
  if (env[name]) return env[name];
  const text = readConfigFile(env, `${name}_FILE`);
  return text === undefined ? undefined : trimmed(text);
}

const trimmed = (text: string) => text.replace(/\r?\n$/, '');
