import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { AdminClient } from './admin-client.ts';
import type { AuditLog } from './audit-log.ts';
import { Auth } from './auth.ts';
import type { FleetCollector } from './collector.ts';
import type { FleetSnapshot, ProcessorView } from './fleet-model.ts';
import { ConsoleOperations } from './operations.ts';
import { createServer } from './server.ts';

const WRITE = 'write-token-0123456789abcdef';
const secret = 'connect ECONNREFUSED 10.9.8.7:5432 (password hunter2)';

const processor = {
  groupId: 'ledger',
  name: 'ledger',
  kind: 'live',
  instances: [{ id: 'ledger@a', httpAddress: 'http://instance-a:1', alive: true, probeError: null }],
  admin: { usable: true, reason: null },
  rebuild: null,
} as unknown as ProcessorView;

/** A console over fakes whose fleet reading can break, its log lines and audit kept. */
function consoleOver(admin: Record<string, () => Response>) {
  const lines: { msg: string; err?: { message: string } }[] = [];
  const logger = pino(
    new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    }),
  );
  const state = { broken: false };
  const collector = {
    get snapshot(): FleetSnapshot {
      if (state.broken) throw new Error(secret);
      return { processors: [processor] } as unknown as FleetSnapshot;
    },
    history: () => ({}),
    subscribe: () => () => {},
    refresh: async () => {},
  } as unknown as FleetCollector;
  const audited: unknown[] = [];
  const audit = {
    begin: async () => 1,
    finish: async (_id: number, _result: string, _status: number, detail: unknown) => audited.push(detail),
    record: async (e: { detail: unknown }) => audited.push(e.detail),
  } as unknown as AuditLog;
  const fetch = async (url: string, init: RequestInit) =>
    admin[`${init.method} ${new URL(url).pathname}`]?.() ?? new Response('{}', { status: 200 });
  const client = new AdminClient({ token: 'admin-token-0123456789abcdef', timeoutMs: 1_000, fetch });
  const auth = new Auth([{ role: 'write', token: WRITE, name: 'alice' }], { sessionHours: 1 });
  const operations = new ConsoleOperations({ client, collector, audit, ackTimeoutMs: 100 });
  const app = createServer({
    auth,
    operations,
    collector,
    audit,
    logger,
    sessionHours: 1,
    secureCookie: false,
  });
  return { app, lines, state, audited };
}

const headers = { authorization: `Bearer ${WRITE}`, 'content-type': 'application/json' };

describe('the console answers every error in the fleet shape', () => {
  let c: ReturnType<typeof consoleOver>;
  afterEach(async () => c?.app.close());

  it('unknown routes and files: 404 NOT_FOUND; no token: 401 UNAUTHORIZED', async () => {
    c = consoleOver({});
    for (const url of ['/api/nowhere', '/nowhere', '/app/missing.js']) {
      const res = await c.app.inject({ url, headers });
      expect([res.statusCode, res.json().error.code], url).toEqual([404, 'NOT_FOUND']);
    }
    const anonymous = await c.app.inject({ url: '/api/fleet' });
    expect([anonymous.statusCode, anonymous.json()]).toEqual([
      401,
      { error: { code: 'UNAUTHORIZED', message: 'sign in with a console token (read or write)' } },
    ]);
  });

  it('a body that fails its schema: 400 BAD_REQUEST naming each field', async () => {
    c = consoleOver({});
    const res = await c.app.inject({
      method: 'POST',
      url: '/api/dlq/ledger/redrive',
      headers,
      payload: { positions: [{ partition: -1, offset: 1 }], colour: 'red' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({
      code: 'BAD_REQUEST',
      details: [
        { path: 'body.positions.0.partition', message: expect.any(String) },
        { path: 'body.colour', message: 'unknown field' },
      ],
    });
  });

  it("relays an instance's error as it is, and one not in the fleet shape as INSTANCE_ERROR", async () => {
    c = consoleOver({
      'POST /admin/rebuild': () =>
        Response.json(
          { error: { code: 'REBUILD_IN_PROGRESS', message: 'a rebuild of ledger is running' } },
          { status: 409 },
        ),
      'POST /admin/dlq/redrive': () => new Response('<html>Bad Gateway</html>', { status: 502 }),
    });
    const refused = await c.app.inject({
      method: 'POST',
      url: '/api/processors/ledger/rebuild',
      headers,
      payload: {},
    });
    expect([refused.statusCode, refused.json()]).toEqual([
      409,
      { error: { code: 'REBUILD_IN_PROGRESS', message: 'a rebuild of ledger is running' } },
    ]);
    const proxy = await c.app.inject({
      method: 'POST',
      url: '/api/dlq/ledger/redrive',
      headers,
      payload: { all: true },
    });
    expect([proxy.statusCode, proxy.json()]).toEqual([
      502,
      {
        error: {
          code: 'INSTANCE_ERROR',
          message: 'the instance answered 502 with an unexpected body',
          details: { status: 502, body: '<html>Bad Gateway</html>' },
        },
      },
    ]);
  });

  it('an unexpected error: 500 "internal error" (answered and audited so), its detail only in the log', async () => {
    c = consoleOver({});
    c.state.broken = true;
    const read = await c.app.inject({ url: '/api/processors/ledger', headers });
    const write = await c.app.inject({
      method: 'POST',
      url: '/api/processors/ledger/pause',
      headers,
      payload: {},
    });
    for (const res of [read, write]) {
      expect([res.statusCode, res.json()]).toEqual([
        500,
        { error: { code: 'INTERNAL', message: 'internal error' } },
      ]);
      expect(res.body).not.toMatch(/hunter2|10\.9\.8\.7/);
    }
    expect(c.audited).toEqual([{ error: { code: 'INTERNAL', message: 'internal error' } }]);
    expect(c.lines.filter((l) => l.msg === 'request failed').map((l) => l.err?.message)).toEqual([
      secret,
      secret,
    ]);
  });
});
