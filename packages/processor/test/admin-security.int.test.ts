import { uniqueName, waitFor } from '@fleet/testkit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProcessorRuntime } from '../src/index.ts';
import { POISON_AMOUNT } from './ledger.ts';
import { type LedgerInput, type LedgerWorld, ledgerWorld, movements } from './ledger-harness.ts';

const tokens = {
  read: 'dashboard-read-token-0123456789',
  alice: 'alice-write-token-0123456789',
  legacy: 'legacy-admin-token-0123456789',
};

interface AuditRow {
  actor: string;
  role: string;
  via: string;
  self_declared: boolean;
  source: string;
  instance_id: string;
  action: string;
  processor: string;
  arguments: unknown;
  result: string;
  status: number;
  detail: unknown;
}

// Roles and the audit of the admin API on a running instance, read back from PostgreSQL.
describe('admin API: read and write tokens, and fleet.audit', () => {
  let world: LedgerWorld;
  let runtime: ProcessorRuntime<unknown>;
  const name = uniqueName('ledger_admin_sec');

  const call = async (method: string, path: string, token?: string, body?: unknown, operator?: string) => {
    const response = await fetch(`${runtime.internalAddress}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(operator ? { 'x-fleet-operator': operator } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as { error?: { code: string } } };
  };
  const deadLetters = async () =>
    (await world.admin.fetchTopicOffsets(`${name}.dlq`)).reduce(
      (s, o) => s + Number(o.high) - Number(o.low),
      0,
    );
  const audit = async () =>
    (await sql<AuditRow>`select * from fleet.audit where processor = ${name} order by id`.execute(world.db))
      .rows;

  beforeAll(async () => {
    world = await ledgerWorld(name);
    runtime = (await world.start({
      HTTP_PORT: '0',
      FLEET_ADMIN_READ_TOKEN: `dashboard=${tokens.read}`,
      FLEET_ADMIN_WRITE_TOKEN: `alice=${tokens.alice}`,
      FLEET_ADMIN_TOKEN: tokens.legacy,
    })) as ProcessorRuntime<unknown>;
    const input = movements(20, 2);
    const original = input[3] as LedgerInput;
    input[3] = { ...original, type: 'Deposited', data: { ...original.data, amount: POISON_AMOUNT } };
    await world.send(input);
    await world.waitForOracle();
    await waitFor('the poison event in the DLQ', async () =>
      (await deadLetters()) === 1 ? true : undefined,
    );
  });
  afterAll(async () => {
    await runtime?.stop();
    await world.close();
  });

  it('a read token reads; its write is refused (403), changes nothing and is audited as denied', async () => {
    expect((await call('GET', '/admin/status', tokens.read)).status).toBe(200);
    expect((await call('GET', '/admin/dlq', tokens.read)).status).toBe(200);
    const purge = await call('POST', '/admin/dlq/purge', tokens.read, { confirm: true });
    expect([purge.status, purge.body.error?.code]).toEqual([403, 'ADMIN_READ_ONLY']);
    expect(await deadLetters()).toBe(1);
    expect(await audit()).toEqual([
      expect.objectContaining({
        actor: 'dashboard',
        role: 'read',
        via: 'token of dashboard',
        self_declared: false,
        source: 'admin-api',
        instance_id: runtime.instanceId,
        action: 'dlq-purge',
        arguments: { body: { confirm: true } },
        result: 'denied',
        status: 403,
      }),
    ]);
  });

  it('every write is recorded with who, what, its arguments and its result; the old token still writes', async () => {
    expect((await call('POST', '/admin/pause', tokens.alice)).status).toBe(202);
    const { rows } = await sql<{ requested_by: string }>`
      select requested_by from fleet.controls where group_id = ${name}`.execute(world.db);
    expect(rows[0]?.requested_by).toBe('admin-api:alice');
    expect((await call('POST', '/admin/resume', tokens.legacy, undefined, 'carol')).status).toBe(202);
    expect((await call('POST', '/admin/dlq/purge', tokens.alice, {})).status).toBe(409);
    expect((await call('POST', '/admin/dlq/purge', tokens.alice, { confirm: true })).status).toBe(200);
    expect(await deadLetters()).toBe(0);

    const rows2 = (await audit()).slice(1);
    expect(rows2.map((r) => [r.actor, r.via, r.self_declared, r.action, r.result, r.status])).toEqual([
      ['alice', 'token of alice', false, 'pause', 'ok', 202],
      ['carol', 'shared write token', true, 'resume', 'ok', 202],
      ['alice', 'token of alice', false, 'dlq-purge', 'refused', 409],
      ['alice', 'token of alice', false, 'dlq-purge', 'ok', 200],
    ]);
    expect(rows2[3]?.detail).toMatchObject({ deleted: 1, dlqTopic: `${name}.dlq` });
    expect(rows2[2]?.detail).toMatchObject({ error: { code: 'CONFIRMATION_REQUIRED' } });
  });

  it('does not run a write it cannot audit (503), and counts refused authentications on /metrics', async () => {
    await sql`alter table fleet.audit rename to audit_away`.execute(world.db);
    try {
      const refused = await call('POST', '/admin/pause', tokens.alice);
      expect([refused.status, refused.body.error?.code]).toEqual([503, 'AUDIT_UNAVAILABLE']);
      const { rows } = await sql<{ paused: boolean }>`
        select paused from fleet.controls where group_id = ${name}`.execute(world.db);
      expect(rows[0]?.paused).toBe(false);
    } finally {
      await sql`alter table fleet.audit_away rename to audit`.execute(world.db);
    }

    expect((await call('GET', '/admin/status')).status).toBe(401);
    expect((await call('GET', '/admin/status', 'guessed-token-0123456789')).status).toBe(401);
    const metrics = await (await fetch(`${runtime.internalAddress}/metrics`)).text();
    const failures = (reason: string) =>
      Number(
        metrics.match(
          new RegExp(`^fleet_admin_auth_failures_total\\{[^}]*reason="${reason}"[^}]*\\} (\\d+)`, 'm'),
        )?.[1],
      );
    expect([failures('missing'), failures('invalid'), failures('read_only')]).toEqual([1, 1, 1]);
  });
});
