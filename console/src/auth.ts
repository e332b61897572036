import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ConsoleToken, Role } from './config.ts';

/** Who is asking: the role their token grants and the name the audit records. */
export interface Principal {
  role: Role;
  /** The operator: the token's holder, or for a shared token the name given at sign-in. */
  actor: string;
  /** Which token: its holder's name, or `shared read token` / `shared write token`. */
  via: string;
  /** The name was typed by the operator (a shared token), not bound to the token. */
  selfDeclared: boolean;
}

export const SESSION_COOKIE = 'fleet_console_session';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** The longest name an operator may give with a shared token; longer ones are cut. */
const MAX_ACTOR = 80;

/** An operator's self-declared name, made safe to store and show: printable, trimmed, bounded. */
export function cleanActor(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
  const cleaned = name.replace(/[\u0000-\u001f\u007f-\u009f]/g, '').trim();
  return cleaned ? cleaned.slice(0, MAX_ACTOR) : undefined;
}

interface Session {
  principal: Principal;
  expiresAt: number;
}

/**
 * The console's own tokens (read or write) and the sessions a sign-in opens. Tokens are compared
 * by digest in constant time. A browser holds a session in an HttpOnly, SameSite=Strict cookie;
 * scripts may send `Authorization: Bearer <token>` (and `X-Fleet-Operator: <name>` for a shared one).
 */
export class Auth {
  readonly #tokens: { entry: ConsoleToken; digest: Buffer }[];
  readonly #sessions = new Map<string, Session>();
  readonly #sessionMs: number;
  readonly #now: () => number;

  constructor(tokens: ConsoleToken[], options: { sessionHours: number; now?: () => number }) {
    this.#tokens = tokens.map((entry) => ({ entry, digest: digest(entry.token) }));
    this.#sessionMs = options.sessionHours * 3_600_000;
    this.#now = options.now ?? Date.now;
  }

  /** The principal a token stands for, or undefined when it is not one of the console's. */
  principalOf(token: string, operator?: string): Principal | undefined {
    const given = digest(token);
    // Every entry is compared, so the time taken does not say which one matched.
    let match: ConsoleToken | undefined;
    for (const t of this.#tokens) if (timingSafeEqual(given, t.digest)) match ??= t.entry;
    if (!match) return undefined;
    const declared = cleanActor(operator);
    if (match.name)
      return { role: match.role, actor: match.name, via: `token of ${match.name}`, selfDeclared: false };
    return {
      role: match.role,
      actor: declared ?? 'anonymous',
      via: `shared ${match.role} token`,
      selfDeclared: true,
    };
  }

  /** Opens a session for a valid token; undefined otherwise. */
  signIn(token: string, operator?: string): { id: string; principal: Principal } | undefined {
    const principal = this.principalOf(token, operator);
    if (!principal) return undefined;
    this.#prune();
    const id = randomBytes(24).toString('base64url');
    this.#sessions.set(id, { principal, expiresAt: this.#now() + this.#sessionMs });
    return { id, principal };
  }

  signOut(id: string | undefined): void {
    if (id) this.#sessions.delete(id);
  }

  session(id: string | undefined): Principal | undefined {
    if (!id) return undefined;
    const s = this.#sessions.get(id);
    if (!s) return undefined;
    if (s.expiresAt <= this.#now()) {
      this.#sessions.delete(id);
      return undefined;
    }
    return s.principal;
  }

  /** The principal of a request: its session cookie, else its bearer token. */
  fromHeaders(headers: Record<string, string | string[] | undefined>): Principal | undefined {
    const fromCookie = this.session(sessionIdOf(headers));
    if (fromCookie) return fromCookie;
    const authorization = headerValue(headers.authorization);
    const bearer = authorization?.match(/^Bearer\s+(.+)$/i)?.[1];
    if (!bearer) return undefined;
    return this.principalOf(bearer.trim(), headerValue(headers['x-fleet-operator']));
  }

  #prune(): void {
    const now = this.#now();
    for (const [id, s] of this.#sessions) if (s.expiresAt <= now) this.#sessions.delete(id);
  }
}

const headerValue = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export function sessionIdOf(headers: Record<string, string | string[] | undefined>): string | undefined {
  return parseCookies(headerValue(headers.cookie))[SESSION_COOKIE];
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    const name = eq > 0 ? part.slice(0, eq).trim() : '';
    if (!name) continue;
    const value = part.slice(eq + 1).trim();
    try {
      cookies[name] = decodeURIComponent(value);
    } catch {
      cookies[name] = value;
    }
  }
  return cookies;
}

export function sessionCookie(id: string, options: { maxAgeSeconds: number; secure: boolean }): string {
  return [
    `${SESSION_COOKIE}=${id}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${Math.floor(options.maxAgeSeconds)}`,
    ...(options.secure ? ['Secure'] : []),
  ].join('; ');
}

export const clearedSessionCookie = `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
