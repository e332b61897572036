import { AsyncLocalStorage } from 'node:async_hooks';
import { type ErrorCode, errorOfBody, FleetError, isErrorCode } from '@fleet/errors';

/**
 * An error the console answers with: a code from the fleet's catalogue (its HTTP status comes from
 * there), a message, and structured details; the body is the fleet's error shape (docs/errors.md).
 */
export class ConsoleError extends FleetError {
  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(code, message, { details });
  }
}

export interface AdminResponse {
  status: number;
  body: unknown;
}

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/**
 * The operator a write runs for: admin API calls made within it state them (`X-Fleet-Operator`), so
 * that the processors' audit (`fleet.audit`) names the person, not only the console's token.
 */
export const actingOperator = new AsyncLocalStorage<string>();

/**
 * Calls a processor instance over HTTP: its token-protected admin API with FLEET_ADMIN_TOKEN (the
 * browser never sees that token), and its open endpoints (/metrics, /readyz, /asyncapi.yaml)
 * without it. HTTP errors come back as they are (status and body); an instance that does not
 * answer in time is a 502 `INSTANCE_UNREACHABLE`.
 */
export class AdminClient {
  readonly #token: string | undefined;
  readonly #fetch: FetchLike;
  readonly #timeoutMs: number;

  constructor(options: { token: string | undefined; timeoutMs: number; fetch?: FetchLike }) {
    this.#token = options.token;
    this.#timeoutMs = options.timeoutMs;
    this.#fetch = options.fetch ?? ((url, init) => fetch(url, init));
  }

  get enabled(): boolean {
    return this.#token !== undefined;
  }

  /** A call to the admin API; 4xx/5xx answers are returned, not thrown. */
  async admin(
    base: string,
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    body?: unknown,
    timeoutMs = this.#timeoutMs,
  ): Promise<AdminResponse> {
    if (!this.#token)
      throw new ConsoleError(
        'ADMIN_TOKEN_MISSING',
        'the console has no FLEET_ADMIN_TOKEN: set the same token for the processors and the console to use their admin API',
      );
    const operator = actingOperator.getStore();
    const response = await this.#send(base, path, timeoutMs, {
      method,
      headers: {
        authorization: `Bearer ${this.#token}`,
        ...(operator ? { 'x-fleet-operator': operator } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: kept as text
    }
    return { status: response.status, body: parsed };
  }

  /** A call that must succeed: the body of a 2xx, a ConsoleError with the instance's answer otherwise. */
  async adminOk<T>(
    base: string,
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    body?: unknown,
    timeoutMs?: number,
  ): Promise<T> {
    const r = await this.admin(base, method, path, body, timeoutMs);
    if (r.status >= 200 && r.status < 300) return r.body as T;
    throw errorFromAdmin(r);
  }

  /** An open endpoint of an instance as text, or undefined when it answers with an error status. */
  async text(
    base: string,
    path: string,
    timeoutMs = Math.min(this.#timeoutMs, 3_000),
  ): Promise<{ status: number; text: string }> {
    const response = await this.#send(base, path, timeoutMs, { method: 'GET' });
    return { status: response.status, text: await response.text() };
  }

  async #send(base: string, path: string, timeoutMs: number, init: RequestInit): Promise<Response> {
    const url = new URL(path, base.endsWith('/') ? base : `${base}/`).toString();
    try {
      return await this.#fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
    } catch (error) {
      const reason =
        (error as Error).name === 'TimeoutError'
          ? `no answer within ${timeoutMs} ms`
          : ((error as { cause?: Error }).cause?.message ?? (error as Error).message);
      throw new ConsoleError('INSTANCE_UNREACHABLE', `${base} did not answer: ${reason}`);
    }
  }
}

/**
 * The admin API's error answer as a ConsoleError with its code (so the same status); an answer that is
 * not in the fleet's error shape (a proxy's page, an older version) is INSTANCE_ERROR, with what came.
 */
export function errorFromAdmin(r: AdminResponse): ConsoleError {
  const error = errorOfBody(r.body);
  if (error && isErrorCode(error.code)) return new ConsoleError(error.code, error.message, error.details);
  const text = typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
  return new ConsoleError('INSTANCE_ERROR', `the instance answered ${r.status} with an unexpected body`, {
    status: r.status,
    body: (text ?? '').slice(0, 500),
  });
}
