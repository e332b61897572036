// The console's JSON API, from the browser: same origin, session cookie, JSON bodies.

export class ApiError extends Error {
  /** @param {number} status @param {any} body */
  constructor(status, body) {
    // The fleet's error body: { error: { code, message, details? } } (docs/errors.md).
    super(body?.error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.code ?? `HTTP_${status}`;
    this.details = body?.error?.details ?? null;
    this.body = body;
  }
}

/**
 * @param {string} method
 * @param {string} path
 * @param {any} [body]
 * @returns {Promise<{ status: number, body: any }>} every answer, errors included
 */
export async function call(method, path, body) {
  const init = { method, credentials: /** @type {RequestCredentials} */ ('same-origin'), headers: {} };
  if (method !== 'GET') {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body ?? {});
  }
  const response = await fetch(path, init);
  const text = await response.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = { error: { code: `HTTP_${response.status}`, message: text } };
  }
  if (response.status === 401 && path !== '/api/session')
    window.dispatchEvent(new CustomEvent('console:signed-out'));
  return { status: response.status, body: parsed };
}

/** Like call, but a non-2xx answer throws an ApiError. */
export async function get(path) {
  const r = await call('GET', path);
  if (r.status >= 300) throw new ApiError(r.status, r.body);
  return r.body;
}

export const enc = encodeURIComponent;
