import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { AuditStart } from '../audit-log.ts';
import { createPublicServer } from '../http-server.ts';
import type { AuthFailure } from './admin-access.ts';
import { AdminAccess } from './admin-access.ts';
import { type AdminOperations, registerAdminApi } from './admin-api.ts';

const read = 'read-token-0123456789';
const alice = 'alice-write-token-0123456789';
const shared = 'shared-write-token-0123456789';

/** The admin API over recording operations and a recording audit: who did what, and what it let through. */
function adminApi(options: { auditDown?: boolean } = {}) {
  const ran: string[] = [];
  const audit: { begun: (AuditStart & { id: number })[]; finished: unknown[][]; recorded: unknown[] } = {
    begun: [],
    finished: [],
    recorded: [],
  };
  const failures: AuthFailure[] = [];
  const lines: Record<string, unknown>[] = [];
  const op = (name: string, result: unknown) => async () => {
    ran.push(name);
    return result;
  };
  const admin = {
    status: op('status', { paused: false }),
    pause: op('pause', undefined),
    deadLetters: op('dlq', { total: 0, deadLetters: [] }),
    redrive: op('redrive', { redriven: [] }),
    purge: op('purge', { deleted: 2 }),
    replay: op('replay', { partitions: [] }),
    rebuildJob: () => undefined,
    abortRebuild: op('abort', undefined),
    finalizeRebuild: op('finalize', undefined),
  } as unknown as AdminOperations;
  // The fleet's error answers, as on the internal listener.
  const app = createPublicServer(
    pino(
      new Writable({
        write(chunk, _e, done) {
          lines.push(JSON.parse(String(chunk)));
          done();
        },
      }),
    ),
  );
  registerAdminApi(app, admin, {
    access: new AdminAccess([
      { role: 'read', token: read, name: 'dashboard' },
      { role: 'write', token: alice, name: 'alice' },
      { role: 'write', token: shared, name: undefined },
    ]),
    audit: {
      begin: async (entry) => {
        if (options.auditDown) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
        audit.begun.push({ ...entry, id: audit.begun.length + 1 });
        return audit.begun.length;
      },
      finish: async (...args) => {
        audit.finished.push(args);
      },
      record: async (entry) => {
        audit.recorded.push(entry);
        return 0;
      },
    },
    processor: 'ledger',
    instanceId: 'ledger@host:1',
    onAuthFailure: (reason) => failures.push(reason),
  });
  const call = (
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    token?: string,
    payload?: object,
    operator?: string,
  ) =>
    app.inject({
      method,
      url,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(operator ? { 'x-fleet-operator': operator } : {}),
      },
      ...(payload ? { payload } : {}),
    });
  return { call, ran, audit, failures, lines };
}

const writes = [
  ['POST', '/admin/pause', undefined],
  ['POST', '/admin/resume', undefined],
  ['POST', '/admin/dlq/redrive', { all: true }],
  ['POST', '/admin/dlq/purge', { confirm: true }],
  ['POST', '/admin/replay', { from: 'earliest' }],
  ['POST', '/admin/rebuild', { from: 'earliest' }],
  ['DELETE', '/admin/rebuild', undefined],
  ['POST', '/admin/rebuild/rollback', undefined],
  ['POST', '/admin/rebuild/finalize', undefined],
] as const;

describe('admin API roles', () => {
  it('a read token reads, and every write is refused with 403 ADMIN_READ_ONLY, recorded as denied', async () => {
    const api = adminApi();
    expect((await api.call('GET', '/admin/status', read)).statusCode).toBe(200);
    expect((await api.call('GET', '/admin/dlq', read)).statusCode).toBe(200);
    for (const [method, url, body] of writes) {
      const res = await api.call(method, url, read, body);
      expect([res.statusCode, res.json().error.code], `${method} ${url}`).toEqual([403, 'ADMIN_READ_ONLY']);
    }
    expect(api.ran).toEqual(['status', 'dlq']);
    expect(api.failures).toEqual(writes.map(() => 'read_only'));
    expect(api.audit.begun).toEqual([]);
    expect(api.audit.recorded).toHaveLength(writes.length);
    expect(api.audit.recorded[0]).toMatchObject({
      who: { actor: 'dashboard', role: 'read', via: 'token of dashboard', selfDeclared: false },
      action: 'pause',
      source: 'admin-api',
      processor: 'ledger',
      result: 'denied',
      status: 403,
    });
    expect(api.audit.recorded[3]).toMatchObject({
      action: 'dlq-purge',
      arguments: { body: { confirm: true } },
    });
  });

  it('a read token may plan a replay (a dry run changes nothing, and is not audited)', async () => {
    const api = adminApi();
    const res = await api.call('POST', '/admin/replay', read, { from: 'earliest', dryRun: true });
    expect(res.statusCode).toBe(200);
    expect(api.ran).toEqual(['replay']);
    expect([api.audit.begun, api.audit.recorded]).toEqual([[], []]);
  });

  it('without a token or with an unknown one: 401 on reads and writes alike, logged without the token and counted', async () => {
    const api = adminApi();
    for (const [token, reason] of [
      [undefined, 'missing'],
      ['guessed-token-0123456789', 'invalid'],
    ] as const)
      for (const [method, url] of [
        ['GET', '/admin/status'],
        ['POST', '/admin/dlq/purge'],
      ] as const) {
        const res = await api.call(method, url, token, method === 'POST' ? { confirm: true } : undefined);
        expect([res.statusCode, res.json().error.code]).toEqual([401, 'UNAUTHORIZED']);
        expect(api.failures.at(-1)).toBe(reason);
      }
    expect(api.ran).toEqual([]);
    const refusals = api.lines.filter((l) => l.msg === 'admin API: request not authorized');
    expect(refusals.map((l) => l.reason)).toEqual(['missing', 'missing', 'invalid', 'invalid']);
    expect(JSON.stringify(api.lines)).not.toContain('guessed-token');
  });
});

describe('admin API audit', () => {
  it('records every write before it runs and completes it with its answer; a named token names its holder', async () => {
    const api = adminApi();
    const res = await api.call('POST', '/admin/dlq/purge', alice, { confirm: true });
    expect(res.statusCode).toBe(200);
    expect(api.audit.begun).toEqual([
      expect.objectContaining({
        who: { actor: 'alice', role: 'write', via: 'token of alice', selfDeclared: false },
        source: 'admin-api',
        instanceId: 'ledger@host:1',
        action: 'dlq-purge',
        processor: 'ledger',
        arguments: { body: { confirm: true } },
        client: expect.stringMatching(/^127\.0\.0\.1/),
      }),
    ]);
    expect(api.audit.finished).toEqual([[1, 'ok', 200, { deleted: 2 }]]);
  });

  it("records refused writes with their answer, and a shared token's stated operator as self-declared", async () => {
    const api = adminApi();
    const res = await api.call('POST', '/admin/dlq/purge', shared, {}, 'bob\u001b[2J');
    expect([res.statusCode, res.json().error.code]).toEqual([409, 'CONFIRMATION_REQUIRED']);
    expect(api.ran).toEqual([]);
    expect(api.audit.begun[0]?.who).toEqual({
      actor: 'bob[2J',
      role: 'write',
      via: 'shared write token',
      selfDeclared: true,
    });
    expect(api.audit.finished[0]).toEqual([
      1,
      'refused',
      409,
      { error: expect.objectContaining({ code: 'CONFIRMATION_REQUIRED' }) },
    ]);
  });

  it('does not run a write whose audit record cannot be written: 503 AUDIT_UNAVAILABLE', async () => {
    const api = adminApi({ auditDown: true });
    const res = await api.call('POST', '/admin/pause', alice);
    expect([res.statusCode, res.json().error.code]).toEqual([503, 'AUDIT_UNAVAILABLE']);
    expect(res.body).not.toContain('ECONNREFUSED');
    expect(api.ran).toEqual([]);
    expect((await api.call('GET', '/admin/status', alice)).statusCode).toBe(200);
  });
});
