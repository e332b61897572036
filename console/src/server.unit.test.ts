import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { AdminClient } from './admin-client.ts';
import type { AuditEntry, AuditLog } from './audit-log.ts';
import { Auth } from './auth.ts';
import type { FleetCollector } from './collector.ts';
import type { FleetSnapshot, ProcessorView } from './fleet-model.ts';
import { ConsoleOperations } from './operations.ts';
import { createServer } from './server.ts';

const WRITE = 'write-token-0123456789abcdef';
const READ = 'read-token-0123456789abcdefg';
const ADMIN = 'admin-token-0123456789abcdef';

function processor(paused: boolean): ProcessorView {
  return {
    groupId: 'ledger',
    name: 'ledger',
    schema: 'ledger',
    topics: ['accounts'],
    dlqTopic: 'ledger.dlq',
    dedupeWindowHours: 168,
    replay: false,
    kind: 'live',
    group: { state: 'Stable', members: [] },
    instances: [
      {
        id: 'ledger@a',
        host: 'a',
        pid: 1,
        httpAddress: 'http://instance-a:1',
        alive: true,
        paused,
        detached: false,
        ready: true,
        startedAt: '',
        lastSeen: '',
        lastError: null,
        lastErrorAt: null,
        resources: { source: 'none', rssBytes: null, heapUsedBytes: null, cpuPercent: null, note: null },
        eventsPerSecond: null,
        processedTotal: null,
        deadLetteredTotal: null,
        metricsFamilies: null,
        probeError: null,
      },
    ],
    counts: { alive: 1, paused: paused ? 1 : 0, detached: 0, gone: 0 },
    lag: { total: 0, partitions: [] },
    eventsPerSecond: 0,
    outbox: null,
    dlqCount: 3,
    lastError: null,
    control: null,
    versions: { previousKept: false, switchedAt: null, rebuildSchema: false },
    rebuild: null,
    admin: { usable: true, reason: null },
    problems: [],
  };
}

/** A console over fakes: an instance's admin API answering from a table, the collector and the audit in memory. */
function harness() {
  const calls: {
    url: string;
    method: string;
    auth: string | null;
    operator: string | null;
    body: unknown;
  }[] = [];
  let paused = false;
  const answers: Record<string, (body: unknown) => { status: number; body: unknown }> = {
    'POST /admin/pause': () => {
      paused = true;
      return { status: 202, body: { requested: 'pause' } };
    },
    'POST /admin/dlq/purge': () => ({ status: 200, body: { deleted: 3 } }),
    'POST /admin/dlq/redrive': () => ({ status: 200, body: { redriven: [{}], count: 1 } }),
    'POST /admin/rebuild': () => ({ status: 202, body: { kind: 'rebuild', state: 'running' } }),
    'POST /admin/rebuild/rollback': () => ({ status: 202, body: { kind: 'rollback', state: 'running' } }),
    'POST /admin/rebuild/finalize': () => ({ status: 200, body: { finalized: true } }),
    'POST /admin/replay': (body) => ({
      status: 200,
      body: { dryRun: (body as { dryRun: boolean }).dryRun, partitions: [] },
    }),
  };
  const fetch = async (url: string, init: RequestInit) => {
    const path = new URL(url).pathname;
    const body = init.body ? JSON.parse(String(init.body)) : undefined;
    calls.push({
      url,
      method: init.method ?? 'GET',
      auth: new Headers(init.headers).get('authorization'),
      operator: new Headers(init.headers).get('x-fleet-operator'),
      body,
    });
    const answer = answers[`${init.method} ${path}`]?.(body) ?? { status: 404, body: { error: 'NO' } };
    return new Response(JSON.stringify(answer.body), { status: answer.status });
  };
  const snapshot = (): FleetSnapshot => ({
    at: '',
    pollMs: 100,
    adminTokenConfigured: true,
    processors: [processor(paused)],
    problems: [],
  });
  let current = snapshot();
  const collector = {
    get snapshot() {
      return current;
    },
    history: () => ({}),
    subscribe: () => () => {},
    refresh: async () => {
      current = snapshot();
    },
  } as unknown as FleetCollector;
  const entries: AuditEntry[] = [];
  const begin = async (e: {
    principal: { actor: string; role: string; via: string; selfDeclared: boolean };
    action: string;
    processor?: string;
    arguments: unknown;
  }) => {
    entries.push({
      id: entries.length + 1,
      at: '',
      finishedAt: null,
      actor: e.principal.actor,
      role: e.principal.role,
      via: e.principal.via,
      selfDeclared: e.principal.selfDeclared,
      source: 'console',
      instanceId: null,
      action: e.action,
      processor: e.processor ?? null,
      arguments: e.arguments,
      result: 'pending',
      status: null,
      detail: null,
      client: null,
    });
    return entries.length;
  };
  const finish = async (id: number, result: AuditEntry['result'], status: number, detail: unknown) => {
    Object.assign(entries[id - 1] as AuditEntry, { result, status, detail });
    return entries[id - 1];
  };
  const audit = {
    begin,
    finish,
    record: async (e: Parameters<AuditLog['record']>[0]) =>
      finish(await begin(e), e.result, e.status, e.detail),
    list: async () => [...entries].reverse(),
    onChange: () => () => {},
  } as unknown as AuditLog;
  const client = new AdminClient({ token: ADMIN, timeoutMs: 1_000, fetch });
  const auth = new Auth(
    [
      { role: 'write', token: WRITE, name: 'alice' },
      { role: 'read', token: READ, name: undefined },
    ],
    { sessionHours: 1 },
  );
  const operations = new ConsoleOperations({ client, collector, audit, ackTimeoutMs: 1_000 });
  const app = createServer({
    auth,
    operations,
    collector,
    audit,
    logger: pino({ level: 'silent' }),
    sessionHours: 1,
    secureCookie: false,
  });
  return { app, calls, entries };
}

const json = { 'content-type': 'application/json' };

describe('console server', () => {
  let h: ReturnType<typeof harness>;
  afterEach(async () => h?.app.close());

  it('serves the pages with a strict content security policy, and nothing outside its files', async () => {
    h = harness();
    const index = await h.app.inject({ url: '/' });
    expect(index.statusCode).toBe(200);
    expect(index.body).toContain('<main id="main"');
    expect(index.headers['content-security-policy']).toContain("script-src 'self'");
    expect((await h.app.inject({ url: '/vendor/uPlot.iife.min.js' })).statusCode).toBe(200);
    expect((await h.app.inject({ url: '/app/views/overview.js' })).headers['content-type']).toContain(
      'javascript',
    );
    expect((await h.app.inject({ url: '/app/../src/server.ts' })).statusCode).toBe(404);
    expect((await h.app.inject({ url: '/app/tsconfig.json' })).statusCode).toBe(404);
  });

  it('needs a console token for every API call; a sign-in sets an HttpOnly session cookie', async () => {
    h = harness();
    expect((await h.app.inject({ url: '/api/fleet' })).statusCode).toBe(401);
    const bad = await h.app.inject({
      method: 'POST',
      url: '/api/session',
      headers: json,
      payload: { token: 'nope' },
    });
    expect(bad.statusCode).toBe(401);
    const ok = await h.app.inject({
      method: 'POST',
      url: '/api/session',
      headers: json,
      payload: { token: READ, operator: 'bob' },
    });
    expect(ok.json()).toEqual({
      principal: { role: 'read', actor: 'bob', via: 'shared read token', selfDeclared: true },
    });
    const cookie = String(ok.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly; SameSite=Strict/);
    const me = await h.app.inject({
      url: '/api/session',
      headers: { cookie: cookie.split(';')[0] as string },
    });
    expect(me.json().principal.actor).toBe('bob');
  });

  it('refuses writes with a read token, and records the attempt', async () => {
    h = harness();
    const r = await h.app.inject({
      method: 'POST',
      url: '/api/processors/ledger/pause',
      headers: { authorization: `Bearer ${READ}`, 'x-fleet-operator': 'bob', ...json },
      payload: {},
    });
    expect(r.statusCode).toBe(403);
    expect(r.json().error.code).toBe('READ_ONLY');
    expect(h.calls).toEqual([]);
    expect(h.entries).toMatchObject([
      { actor: 'bob', role: 'read', action: 'pause', result: 'denied', status: 403 },
    ]);
  });

  it('pauses through the admin API with the admin token and the operator stated, waits for the acknowledgement, records who and the result', async () => {
    h = harness();
    const r = await h.app.inject({
      method: 'POST',
      url: '/api/processors/ledger/pause',
      headers: { authorization: `Bearer ${WRITE}`, ...json },
      payload: {},
    });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ requested: 'pause', acknowledged: ['ledger@a'], waiting: [] });
    expect(h.calls).toMatchObject([
      { url: 'http://instance-a:1/admin/pause', method: 'POST', auth: `Bearer ${ADMIN}`, operator: 'alice' },
    ]);
    expect(h.entries).toMatchObject([
      { actor: 'alice', action: 'pause', processor: 'ledger', result: 'ok', status: 200 },
    ]);
  });

  it('purges only with the processor name typed, and says why not', async () => {
    h = harness();
    const headers = { authorization: `Bearer ${WRITE}`, ...json };
    for (const payload of [{}, { confirm: 'yes' }]) {
      const r = await h.app.inject({ method: 'POST', url: '/api/dlq/ledger/purge', headers, payload });
      expect(r.statusCode).toBe(409);
      expect(r.json()).toMatchObject({
        error: { code: 'CONFIRMATION_REQUIRED', details: { expected: 'ledger' } },
      });
    }
    expect(h.calls).toEqual([]);
    const ok = await h.app.inject({
      method: 'POST',
      url: '/api/dlq/ledger/purge',
      headers,
      payload: { confirm: 'ledger' },
    });
    expect(ok.json()).toEqual({ deleted: 3 });
    expect(h.calls).toMatchObject([{ body: { confirm: true } }]);
    expect(h.entries.map((e) => e.result)).toEqual(['refused', 'refused', 'ok']);
  });

  it('checks bodies field by field, and plans a replay as a dry run for any signed-in operator', async () => {
    h = harness();
    const bad = await h.app.inject({
      method: 'POST',
      url: '/api/dlq/ledger/redrive',
      headers: { authorization: `Bearer ${WRITE}`, ...json },
      payload: { positions: [{ partition: -1, offset: 'x' }] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/positions\.0\.partition: .*; positions\.0\.offset: /);
    const plan = await h.app.inject({
      method: 'POST',
      url: '/api/processors/ledger/rebuild/plan',
      headers: { authorization: `Bearer ${READ}`, ...json },
      payload: { from: 'earliest' },
    });
    expect(plan.statusCode).toBe(200);
    expect(h.calls.at(-1)).toMatchObject({
      url: 'http://instance-a:1/admin/replay',
      body: { from: 'earliest', dryRun: true },
    });
    const unknown = await h.app.inject({
      url: '/api/processors/nope',
      headers: { authorization: `Bearer ${READ}` },
    });
    expect(unknown.statusCode).toBe(404);
  });

  it('refuses cookie writes from another origin or without JSON', async () => {
    h = harness();
    const signIn = await h.app.inject({
      method: 'POST',
      url: '/api/session',
      headers: json,
      payload: { token: WRITE },
    });
    const cookie = String(signIn.headers['set-cookie']).split(';')[0] as string;
    const foreign = await h.app.inject({
      method: 'POST',
      url: '/api/processors/ledger/pause',
      headers: { cookie, origin: 'https://evil.example', ...json },
      payload: {},
    });
    expect(foreign.statusCode).toBe(403);
    const form = await h.app.inject({
      method: 'POST',
      url: '/api/processors/ledger/pause',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'a=1',
    });
    expect(form.statusCode).toBe(415);
    expect(h.calls).toEqual([]);
  });

  it('runs replay and the rebuild steps on the admin API, each recorded', async () => {
    h = harness();
    const headers = { authorization: `Bearer ${WRITE}`, ...json };
    const post = (url: string, payload: Record<string, unknown> = {}) =>
      h.app.inject({ method: 'POST', url, headers, payload });
    expect((await post('/api/processors/ledger/replay', { from: 'earliest' })).json()).toMatchObject({
      dryRun: false,
    });
    const started = await post('/api/processors/ledger/rebuild', { from: '2026-01-01T00:00:00Z' });
    expect(started.statusCode).toBe(202);
    expect(started.json()).toMatchObject({ kind: 'rebuild', instanceId: 'ledger@a' });
    expect((await post('/api/processors/ledger/rebuild/rollback')).json()).toMatchObject({
      kind: 'rollback',
    });
    expect((await post('/api/processors/ledger/rebuild/finalize')).json()).toEqual({ finalized: true });
    const abort = await h.app.inject({
      method: 'DELETE',
      url: '/api/processors/ledger/rebuild',
      headers,
      payload: {},
    });
    expect(abort.statusCode).toBe(404);
    expect(h.calls.map((c) => `${c.method} ${new URL(c.url).pathname}`)).toEqual([
      'POST /admin/replay',
      'POST /admin/rebuild',
      'POST /admin/rebuild/rollback',
      'POST /admin/rebuild/finalize',
    ]);
    expect(h.calls[0]?.body).toEqual({ from: 'earliest', dryRun: false });
    expect(h.calls[1]?.body).toEqual({ from: '2026-01-01T00:00:00Z', acceptPartial: false });
    expect(h.entries.map((e) => `${e.action}:${e.result}`)).toEqual([
      'replay:ok',
      'rebuild:ok',
      'rebuild-rollback:ok',
      'rebuild-finalize:ok',
      'rebuild-abort:invalid',
    ]);
  });
});
