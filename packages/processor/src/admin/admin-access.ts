import { createHash, timingSafeEqual } from 'node:crypto';
import type { AdminToken } from '../admin-tokens.ts';
import type { AuditActor } from '../audit-log.ts';

/** Why a request was not let in: no bearer token, one that is none of ours, or a read token asking to write. */
export type AuthFailure = 'missing' | 'invalid' | 'read_only';

/** The header in which a caller states the operator it acts for (a shared token, the console). */
export const OPERATOR_HEADER = 'x-fleet-operator';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** The longest operator name kept; longer ones are cut. */
const MAX_OPERATOR = 80;

/** An operator name as stated, made safe to store and show: printable, trimmed, bounded; undefined when empty. */
export function cleanOperator(name: string | string[] | undefined): string | undefined {
  const value = Array.isArray(name) ? name[0] : name;
  if (value === undefined) return undefined;
  const cleaned = value.replace(/\p{Cc}/gu, '').trim();
  return cleaned ? cleaned.slice(0, MAX_OPERATOR) : undefined;
}

/**
 * The admin API's tokens and who they stand for. Tokens are compared by digest in constant time, every
 * one of them, so neither the time taken nor the length sent says which matched or how close it was.
 * The actor is the stated operator (`X-Fleet-Operator`) when there is one, else the token's holder
 * (`name=token`), else `anonymous`; `via` always names the token.
 */
export class AdminAccess {
  readonly #tokens: { entry: AdminToken; digest: Buffer }[];

  constructor(tokens: AdminToken[]) {
    this.#tokens = tokens.map((entry) => ({ entry, digest: digest(entry.token) }));
  }

  /** Without a token the admin API is off. */
  get enabled(): boolean {
    return this.#tokens.length > 0;
  }

  /** The caller of a request, or why it has none. */
  callerOf(headers: Record<string, string | string[] | undefined>): AuditActor | AuthFailure {
    const authorization = headers.authorization;
    const bearer = (Array.isArray(authorization) ? authorization[0] : authorization)
      ?.match(/^Bearer\s+(.+)$/i)?.[1]
      ?.trim();
    if (!bearer) return 'missing';
    const given = digest(bearer);
    let match: AdminToken | undefined;
    for (const t of this.#tokens) if (timingSafeEqual(given, t.digest)) match ??= t.entry;
    if (!match) return 'invalid';
    const stated = cleanOperator(headers[OPERATOR_HEADER]);
    return {
      actor: stated ?? match.name ?? 'anonymous',
      role: match.role,
      via: match.name ? `token of ${match.name}` : `shared ${match.role} token`,
      selfDeclared: stated !== undefined || match.name === undefined,
    };
  }
}
