import { Writable } from 'node:stream';
import { FleetError } from '@fleet/errors';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { AdminAccess } from './admin/admin-access.ts';
import type { AdminOperations } from './admin/admin-api.ts';
import { createInternalServer, createPublicServer } from './http-server.ts';
import { OperationError } from './operations/operation-error.ts';
import type { Telemetry } from './telemetry.ts';

const token = 'ops-server-test-token';
const leak = 'connect ECONNREFUSED 10.1.2.3:5432 (user fleet, password hunter2)';

/** The operations behind the admin API, failing the way the real ones do. */
const operations = (overrides: Partial<AdminOperations> = {}): AdminOperations =>
  ({
    status: async () => {
      throw new Error(leak);
    },
    replay: async () => {
      throw new OperationError('REPLAY_PARTIAL', 'records were deleted; accept a partial replay', {
        start: 'earliest',
      });
    },
    rebuildJob: () => undefined,
    abortRebuild: async () => undefined,
    ...overrides,
  }) as unknown as AdminOperations;

const telemetry = {
  prometheus: {
    getMetricsRequestHandler: (_req: unknown, res: { end(text: string): void }) => res.end('fleet_up 1\n'),
  },
} as unknown as Telemetry;

const noAudit = { begin: async () => 1, finish: async () => {}, record: async () => 1 };

function capture() {
  const lines: { msg: string; err?: { message: string } }[] = [];
  const logger = pino(
    new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    }),
  );
  return { lines, logger };
}

/** Both listeners of an instance: the internal one and the public one with a service route. */
function servers(admin: AdminOperations, tokens = [{ role: 'write' as const, token, name: undefined }]) {
  const { lines, logger } = capture();
  const internal = createInternalServer(
    {
      readiness: { check: async () => ({ database: { ok: true } }) },
      telemetry,
      admin,
      guard: { access: new AdminAccess(tokens), audit: noAudit, processor: 'ledger', instanceId: 'i-1' },
      documents: { asyncApiYaml: () => 'asyncapi: 3.0.0\n' },
    },
    logger,
  );
  const app = createPublicServer(logger);
  app.get<{ Params: { id: string } }>('/orders/:id', async (req) => {
    if (req.params.id === 'broken')
      throw new TypeError("Cannot read properties of undefined (reading 'lines')");
    throw new FleetError('NOT_FOUND', `order ${req.params.id} is unknown`);
  });
  return { internal, app, lines };
}

const auth = { authorization: `Bearer ${token}` };

describe('two listeners: the public one serves the service, the internal one the operators', () => {
  it("the public listener answers the service's routes and /healthz, and nothing of the operators'", async () => {
    const { app } = servers(operations());
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    for (const url of ['/readyz', '/metrics', '/asyncapi.yaml', '/admin/status', '/admin/dlq'])
      expect((await app.inject({ method: 'GET', url, headers: auth })).statusCode, url).toBe(404);
    const pause = await app.inject({ method: 'POST', url: '/admin/pause', headers: auth });
    expect([pause.statusCode, pause.json().error.code]).toEqual([404, 'NOT_FOUND']);
  });

  it('the internal listener answers health, readiness, metrics, AsyncAPI and the admin API', async () => {
    const { internal } = servers(operations({ status: async () => ({ paused: false }) }));
    expect((await internal.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await internal.inject({ method: 'GET', url: '/readyz' })).json()).toMatchObject({
      status: 'ready',
    });
    expect((await internal.inject({ method: 'GET', url: '/metrics' })).body).toBe('fleet_up 1\n');
    expect((await internal.inject({ method: 'GET', url: '/asyncapi.yaml' })).body).toContain('asyncapi');
    const status = await internal.inject({ method: 'GET', url: '/admin/status', headers: auth });
    expect([status.statusCode, status.json()]).toEqual([200, { paused: false }]);
    expect((await internal.inject({ method: 'GET', url: '/orders/1' })).statusCode).toBe(404);
  });
});

describe('both answer every error in the fleet shape', () => {
  it('admin API: 401 without the token, 403 when it is off', async () => {
    const { internal } = servers(operations());
    const res = await internal.inject({ method: 'GET', url: '/admin/dlq' });
    expect([res.statusCode, res.json()]).toEqual([
      401,
      { error: { code: 'UNAUTHORIZED', message: 'missing or wrong bearer token' } },
    ]);
    const off = servers(operations(), []).internal;
    const disabled = await off.inject({ method: 'POST', url: '/admin/replay', headers: auth });
    expect([disabled.statusCode, disabled.json().error.code]).toEqual([403, 'ADMIN_DISABLED']);
  });

  it('admin API: a bad request names every field; refusals keep their details', async () => {
    const { internal } = servers(operations());
    const bad = await internal.inject({ method: 'GET', url: '/admin/dlq?limit=0&colour=red', headers: auth });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(/^invalid querystring: /),
      details: expect.arrayContaining([
        { path: 'querystring.limit', message: expect.any(String) },
        { path: 'querystring.colour', message: 'unknown field' },
      ]),
    });
    const json = await internal.inject({
      method: 'POST',
      url: '/admin/replay',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: '{"from": ',
    });
    expect([json.statusCode, json.json().error.code]).toEqual([400, 'INVALID_JSON']);
    const refused = await internal.inject({
      method: 'POST',
      url: '/admin/replay',
      headers: auth,
      payload: {},
    });
    expect([refused.statusCode, refused.json()]).toEqual([
      409,
      {
        error: {
          code: 'REPLAY_PARTIAL',
          message: 'records were deleted; accept a partial replay',
          details: { start: 'earliest' },
        },
      },
    ]);
    const purge = await internal.inject({
      method: 'POST',
      url: '/admin/dlq/purge',
      headers: auth,
      payload: {},
    });
    expect([purge.statusCode, purge.json().error.code]).toEqual([409, 'CONFIRMATION_REQUIRED']);
    const none = await internal.inject({ method: 'GET', url: '/admin/rebuild', headers: auth });
    expect([none.statusCode, none.json()]).toEqual([
      404,
      { error: { code: 'NO_REBUILD', message: 'no rebuild was started here' } },
    ]);
  });

  it('an unexpected error is a 500 "internal error"; what happened is only in the log', async () => {
    const { internal, app, lines } = servers(operations());
    const status = await internal.inject({ method: 'GET', url: '/admin/status', headers: auth });
    const route = await app.inject({ method: 'GET', url: '/orders/broken' });
    for (const res of [status, route]) {
      expect([res.statusCode, res.json()]).toEqual([
        500,
        { error: { code: 'INTERNAL', message: 'internal error' } },
      ]);
      expect(res.body).not.toMatch(/hunter2|10\.1\.2\.3|Cannot read/);
    }
    expect(lines.filter((l) => l.msg === 'request failed').map((l) => l.err?.message)).toEqual([
      leak,
      "Cannot read properties of undefined (reading 'lines')",
    ]);
  });

  it("a service route's errors and unknown routes answer in the same shape", async () => {
    const { app } = servers(operations());
    const missing = await app.inject({ method: 'GET', url: '/orders/42' });
    expect([missing.statusCode, missing.json()]).toEqual([
      404,
      { error: { code: 'NOT_FOUND', message: 'order 42 is unknown' } },
    ]);
    const nowhere = await app.inject({ method: 'DELETE', url: '/nowhere' });
    expect([nowhere.statusCode, nowhere.json()]).toEqual([
      404,
      { error: { code: 'NOT_FOUND', message: 'No route DELETE /nowhere.' } },
    ]);
  });
});
