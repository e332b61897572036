import { FleetError } from '@fleet/errors';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditActor, AuditLog } from '../audit-log.ts';
import { auditResultOf } from '../audit-log.ts';
import type { AdminAccess, AuthFailure } from './admin-access.ts';

/** What an admin route asks of its caller: reading, or writing (audited), or either depending on the body. */
export type AdminAccessLevel = 'read' | 'write';

export interface AdminRouteConfig {
  /** `write` routes need a write token and are audited under `action`. */
  access: AdminAccessLevel | ((body: unknown) => AdminAccessLevel);
  action?: string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    admin?: AdminRouteConfig;
  }
}

export interface AdminGuardOptions {
  access: AdminAccess;
  /** What the guard needs of the audit (it does not read the completed entry back). */
  audit: Pick<AuditLog, 'begin' | 'record'> & {
    finish(...args: Parameters<AuditLog['finish']>): Promise<unknown>;
  };
  /** The consumer group the admin API acts on, and this instance: recorded with each write. */
  processor: string;
  instanceId: string;
  /** Told of every refused authentication (the `fleet_admin_auth_failures_total` counter). */
  onAuthFailure?: (reason: AuthFailure) => void;
}

const callers = new WeakMap<FastifyRequest, AuditActor>();
const audited = new WeakMap<FastifyRequest, number>();

/** Who made an admin request that was let in. */
export const adminCaller = (req: FastifyRequest): AuditActor | undefined => callers.get(req);

const clientOf = (req: FastifyRequest) =>
  `${req.ip}${req.headers['user-agent'] ? ` ${String(req.headers['user-agent']).slice(0, 200)}` : ''}`;

/** What the request asked for, as the audit records it (never a header: the token is one). */
const argumentsOf = (req: FastifyRequest) => ({
  ...(req.params && Object.keys(req.params).length ? { params: req.params } : {}),
  ...(req.query && Object.keys(req.query).length ? { query: req.query } : {}),
  ...(req.body !== undefined && req.body !== null ? { body: req.body } : {}),
});

/**
 * Authentication, authorization and the audit of an admin API scope. Every request needs one of the
 * admin tokens (401 UNAUTHORIZED otherwise, logged without the token and counted); a write route needs
 * a write token (403 ADMIN_READ_ONLY with a read token: logged, counted and recorded as `denied`). A
 * write is recorded in `fleet.audit` before it runs and completed with its answer; when the record
 * cannot be written the write does not run (503 AUDIT_UNAVAILABLE).
 */
export function guardAdminRoutes(scope: FastifyInstance, options: AdminGuardOptions): void {
  const { access, audit } = options;
  const refuse = (req: FastifyRequest, reason: AuthFailure) => {
    options.onAuthFailure?.(reason);
    req.log.warn(
      { reason, method: req.method, route: req.routeOptions.url, client: clientOf(req) },
      'admin API: request not authorized',
    );
  };
  const base = (req: FastifyRequest, who: AuditActor) => ({
    who,
    source: 'admin-api',
    instanceId: options.instanceId,
    action: req.routeOptions.config.admin?.action ?? `${req.method} ${req.routeOptions.url}`,
    processor: options.processor,
    arguments: argumentsOf(req),
    client: clientOf(req),
  });
  const authorize = async (req: FastifyRequest, level: AdminAccessLevel) => {
    const who = callers.get(req);
    if (!who || level === 'read' || who.role === 'write') return;
    refuse(req, 'read_only');
    const error = new FleetError(
      'ADMIN_READ_ONLY',
      `a read token may not ${req.routeOptions.config.admin?.action ?? 'change anything'}: use a write token (FLEET_ADMIN_WRITE_TOKEN)`,
    );
    await audit
      .record({
        ...base(req, who),
        result: 'denied',
        status: error.httpStatus,
        detail: { error: { code: error.code, message: error.message } },
      })
      .catch((e: unknown) => req.log.error({ err: e }, 'admin API: a denied write could not be audited'));
    throw error;
  };

  scope.addHook('onRequest', async (req) => {
    if (!access.enabled)
      throw new FleetError(
        'ADMIN_DISABLED',
        'the admin API is off: set FLEET_ADMIN_WRITE_TOKEN and/or FLEET_ADMIN_READ_TOKEN (or FLEET_ADMIN_TOKEN)',
      );
    const caller = access.callerOf(req.headers);
    if (typeof caller === 'string') {
      refuse(req, caller);
      throw new FleetError('UNAUTHORIZED', 'missing or wrong bearer token');
    }
    callers.set(req, caller);
  });

  // After the body is parsed, so that a refused write is recorded with what it asked.
  scope.addHook('preHandler', async (req) => {
    const config = req.routeOptions.config.admin;
    const level = typeof config?.access === 'function' ? config.access(req.body) : config?.access;
    if (level) await authorize(req, level);
    const who = callers.get(req);
    if (level !== 'write' || !who) return;
    try {
      audited.set(req, await audit.begin(base(req, who)));
    } catch (error) {
      throw new FleetError(
        'AUDIT_UNAVAILABLE',
        'not done: its audit record could not be written (PostgreSQL did not answer); try again when it does',
        { cause: error },
      );
    }
  });

  scope.addHook('onSend', async (req, reply, payload) => {
    const id = audited.get(req);
    if (id === undefined) return payload;
    audited.delete(req);
    let detail: unknown = payload;
    try {
      detail = typeof payload === 'string' ? JSON.parse(payload) : null;
    } catch {
      // not JSON: kept as text
    }
    await audit
      .finish(id, auditResultOf(reply.statusCode), reply.statusCode, detail)
      .catch((error: unknown) =>
        req.log.error({ err: error, auditId: id }, 'admin API: audit not completed'),
      );
    return payload;
  });
}
