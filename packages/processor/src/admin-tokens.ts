import { readSecret, secretProblems } from '@fleet/service-kit';

export type AdminRole = 'read' | 'write';

/** A token of the admin API: what it may do, and whose it is when the setting names its holder. */
export interface AdminToken {
  role: AdminRole;
  token: string;
  /** The holder, from `name=token`; undefined for a bare token (shared by whoever knows it). */
  name: string | undefined;
}

/** Shorter tokens can be guessed. */
export const MIN_ADMIN_TOKEN_LENGTH = 16;

/**
 * The variables that hold admin tokens, each also as `<NAME>_FILE` (a mounted secret). The read and
 * write tokens are the roles, each a bare token or a `name=token,…` list; FLEET_ADMIN_TOKEN is the one
 * token of releases that had a single role: a write token, taken whole as before (the console sends
 * the same value), so that an upgrade changes nothing.
 */
export const adminTokenVariables = [
  { variable: 'FLEET_ADMIN_READ_TOKEN', role: 'read', list: true },
  { variable: 'FLEET_ADMIN_WRITE_TOKEN', role: 'write', list: true },
  { variable: 'FLEET_ADMIN_TOKEN', role: 'write', list: false },
] as const;

const NAME = /^[\w.@-]{1,64}$/;

/** `name=token,name=token` or one bare token; the problems name the variable, never a token. */
function parseList(value: string, role: AdminRole, variable: string, problems: string[]): AdminToken[] {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const tokens = items.map((item): AdminToken => {
    const eq = item.indexOf('=');
    // A bare token may end in base64 padding (`…==`), which names nobody.
    const named = eq > 0 && NAME.test(item.slice(0, eq)) && /^[^=]/.test(item.slice(eq + 1));
    const name = named ? item.slice(0, eq) : undefined;
    const token = named ? item.slice(eq + 1) : item;
    if (token.length < MIN_ADMIN_TOKEN_LENGTH)
      problems.push(
        `${variable}: ${name ? `the token of ${name}` : 'a token'} is shorter than ${MIN_ADMIN_TOKEN_LENGTH} characters`,
      );
    return { role, token, name };
  });
  if (items.length > 1 && tokens.some((t) => t.name === undefined))
    problems.push(`${variable}: with several tokens, give each as name=token`);
  return tokens;
}

/** Problems of the admin token settings (for `parseEnv`'s checks): every one at once. */
export function adminTokenProblems(env: Record<string, string | undefined>): string[] {
  const problems = adminTokenVariables.flatMap(({ variable }) => secretProblems(env, variable));
  if (problems.length) return problems;
  collect(env, problems);
  return problems;
}

function collect(env: Record<string, string | undefined>, problems: string[]): AdminToken[] {
  const tokens = adminTokenVariables.flatMap(({ variable, role, list }) => {
    const value = readSecret(env, variable);
    if (value === undefined) return [];
    if (list) return parseList(value, role, variable, problems);
    if (value.length < MIN_ADMIN_TOKEN_LENGTH)
      problems.push(`${variable}: at least ${MIN_ADMIN_TOKEN_LENGTH} characters`);
    return [{ role, token: value, name: undefined }];
  });
  const seen = new Map<string, AdminRole>();
  for (const t of tokens) {
    const role = seen.get(t.token);
    if (role === undefined) seen.set(t.token, t.role);
    else
      problems.push(
        role === t.role
          ? 'FLEET_ADMIN_*_TOKEN: the same token is given twice'
          : 'FLEET_ADMIN_READ_TOKEN and a write token share a token: a read token must differ from every write token',
      );
  }
  return tokens;
}

/** Every admin token the settings give, once `adminTokenProblems` found nothing wrong. */
export function adminTokens(env: Record<string, string | undefined>): AdminToken[] {
  const problems: string[] = [];
  const tokens = collect(env, problems);
  if (problems.length) throw new Error(problems.join('; '));
  return tokens;
}
