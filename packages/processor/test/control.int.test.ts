import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '@fleet/testkit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProcessorRuntime } from '../src/index.ts';
import { type LedgerWorld, ledgerWorld, movements } from './ledger-harness.ts';

const token = 'test-admin-token-0123456789';

describe('operator controls: pause and resume reach every instance', () => {
  let world: LedgerWorld;
  const runtimes: ProcessorRuntime<unknown>[] = [];
  const name = 'ledger_control';

  beforeAll(async () => {
    world = await ledgerWorld(name);
    for (let i = 0; i < 2; i++)
      runtimes.push(
        (await world.start({ HTTP_PORT: '0', FLEET_ADMIN_TOKEN: token })) as ProcessorRuntime<unknown>,
      );
  });
  afterAll(async () => {
    await Promise.all(runtimes.map((r) => r.stop()));
    await world.close();
  });

  const acknowledged = async (paused: boolean) => {
    const { rows } = await sql<{ paused: boolean }>`
      select paused from fleet.instances where group_id = ${name}`.execute(world.db);
    return rows.length === 2 && rows.every((r) => r.paused === paused) ? true : undefined;
  };
  const admin = (path: string, auth?: string) =>
    fetch(`${runtimes[0]?.httpAddress}${path}`, {
      method: path === '/admin/status' ? 'GET' : 'POST',
      headers: auth ? { authorization: `Bearer ${auth}` } : {},
    });

  it('refuses the admin endpoints without the right token', async () => {
    expect((await admin('/admin/pause')).status).toBe(401);
    expect((await admin('/admin/pause', 'wrong-token')).status).toBe(401);
    expect((await admin('/admin/status', token)).status).toBe(200);
  });

  it('pauses both instances, holds events back, then resumes and applies them', async () => {
    await world.send(movements(100, 10));
    await world.waitForOracle();

    expect((await admin('/admin/pause', token)).status).toBe(202);
    await waitFor('both instances to acknowledge the pause', () => acknowledged(true));
    expect(runtimes.every((r) => r.paused)).toBe(true);

    const held = movements(100, 10);
    await world.send(held);
    await sleep(2_000);
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from ${sql.id(name, 'processed_events')} where event_id = any(${held.map((h) => h.id)}::text[])`.execute(
      world.db,
    );
    expect(rows[0]?.n).toBe(0);

    expect((await admin('/admin/resume', token)).status).toBe(202);
    await waitFor('both instances to acknowledge the resume', () => acknowledged(false));
    await world.waitForOracle();
  });
});
