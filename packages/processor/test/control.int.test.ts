import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '@fleet/testkit';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestPause } from '../src/control-plane.ts';
import { defineProcessor, ProcessorRuntime } from '../src/index.ts';
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
    fetch(`${runtimes[0]?.internalAddress}${path}`, {
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

describe('a pause is acknowledged only when nothing is in flight and the offsets are final', () => {
  const HOLD = 4_242;
  let world: LedgerWorld;
  let runtime: ProcessorRuntime<unknown> | undefined;
  const name = 'ledger_pause_hold';
  const entered = Promise.withResolvers<void>();
  const release = Promise.withResolvers<void>();

  beforeAll(async () => {
    world = await ledgerWorld(name);
    // A handler that can be held mid-batch: the event with amount HOLD waits until the test lets it go.
    const definition = defineProcessor<unknown>()({
      name,
      routes: ({ on }) => [
        on(world.contracts.Deposited, async (event) => {
          if (event.data.amount !== HOLD) return;
          entered.resolve();
          await release.promise;
        }),
      ],
      migrations: {},
    });
    runtime = (await ProcessorRuntime.start(definition, {
      config: world.config({ PROCESSOR_BATCH_SIZE: '1' }),
    })) as ProcessorRuntime<unknown>;
  });
  afterAll(async () => {
    release.resolve();
    await runtime?.stop();
    await world.close();
  });

  const instancePaused = async () => {
    const { rows } = await sql<{ paused: boolean }>`
      select paused from fleet.instances where group_id = ${name}`.execute(world.db);
    return rows[0]?.paused;
  };
  const applied = async (ids: string[]) => {
    const { rows } = await sql<{ event_id: string }>`
      select event_id from ${sql.id(name, 'processed_events')} where event_id = any(${ids}::text[])`.execute(
      world.db,
    );
    return rows.map((r) => r.event_id).sort();
  };

  it('waits for the batch in flight, stops at the next sub-batch, and commits what it applied', async () => {
    // One account: one partition, in this order; sub-batches of one event.
    const [first, second, third] = movements(3, 1).map((m, i) => ({
      ...m,
      type: 'Deposited' as const,
      data: { ...m.data, amount: i === 0 ? HOLD : 1 },
    }));
    if (!first || !second || !third) throw new Error('three movements expected');
    await world.send([first, second, third]);
    await entered.promise;

    await requestPause(world.db as Kysely<unknown>, name, true, 'test');
    await sleep(1_500); // several heartbeats: none may acknowledge while the handler holds the batch
    expect(await instancePaused()).toBe(false);

    release.resolve();
    await waitFor('the pause acknowledged', async () => ((await instancePaused()) ? true : undefined));
    // Acknowledged: the held event is applied and its offset committed; the next sub-batch is not.
    expect(await applied([first.id, second.id, third.id])).toEqual([first.id]);
    const [committed] = await world.admin.fetchOffsets({
      groupId: name,
      topics: [world.contracts.accounts.name],
    });
    expect(committed?.partitions.map((p) => p.offset).filter((o) => o !== '-1')).toEqual(['1']);

    await requestPause(world.db as Kysely<unknown>, name, false, 'test');
    await waitFor('the rest applied after the resume', async () =>
      (await applied([first.id, second.id, third.id])).length === 3 ? true : undefined,
    );
  });
});
