import { setTimeout as sleep } from 'node:timers/promises';
import { kyselyFor, waitFor } from '@fleet/testkit';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ProcessorRuntime } from '../src/index.ts';
import { type LedgerWorld, ledgerWorld, movements } from './ledger-harness.ts';

describe('transient failures and stalls', () => {
  let world: LedgerWorld;
  let runtime: ProcessorRuntime<unknown> | undefined;
  const name = 'ledger_resilience';

  beforeAll(async () => {
    world = await ledgerWorld(name);
  });
  afterEach(async () => {
    await runtime?.stop();
    runtime = undefined;
  });
  afterAll(async () => {
    await world.close();
  });

  it('retries through terminated Postgres connections without losing or reordering events', async () => {
    runtime = (await world.start({ PROCESSOR_BATCH_SIZE: '100' })) as ProcessorRuntime<unknown>;
    const admin = kyselyFor(world.database.url);
    const input = movements(6_000, 50);
    let terminated = 0;
    for (let i = 0; i < input.length; i += 500) {
      await world.send(input.slice(i, i + 500));
      const { rows } = await sql<{ n: number }>`
        select count(pg_terminate_backend(pid))::int as n from pg_stat_activity
        where application_name = ${name} and datname = current_database()`.execute(admin);
      terminated += rows[0]?.n ?? 0;
      await sleep(150);
    }
    await world.waitForOracle();
    await admin.destroy();

    expect(terminated).toBeGreaterThan(0);
    const history = await world.db.selectFrom('history').selectAll().orderBy('n').execute();
    expect(history).toHaveLength(input.length);
    const lastSeq = new Map<string, number>();
    for (const row of history) {
      expect(row.seq).toBeGreaterThan(lastSeq.get(row.account_id) ?? -1);
      lastSeq.set(row.account_id, row.seq);
    }
  });

  it('turns /readyz red when it has lag but makes no progress, and recovers when unblocked', async () => {
    runtime = (await world.start({
      HTTP_PORT: '0',
      PROCESSOR_STALL_TIMEOUT_MS: '1500',
      PROCESSOR_LAG_INTERVAL_MS: '250',
    })) as ProcessorRuntime<unknown>;
    const readyz = async () => (await fetch(`${runtime?.internalAddress}/readyz`)).status;
    await waitFor('ready', async () => ((await readyz()) === 200 ? true : undefined));

    // Hold a lock the handler needs: the partition cannot progress while events wait.
    const blocker = kyselyFor(world.database.url);
    const blocked = movements(10, 1);
    const account = blocked[0]?.data.accountId ?? '';
    await sql`insert into ${sql.id(name, 'balances')} values (${account}, 0, 0) on conflict do nothing`.execute(
      blocker,
    );
    let release: () => void = () => {};
    let locked: () => void = () => {};
    const lockTaken = new Promise<void>((resolve) => {
      locked = resolve;
    });
    const holding = blocker.transaction().execute(async (trx) => {
      await sql`select 1 from ${sql.id(name, 'balances')} where account_id = ${account} for update`.execute(
        trx,
      );
      locked();
      await new Promise<void>((resolve) => {
        release = resolve;
      });
    });
    await lockTaken; // the events must meet the lock, not race it
    await world.send(blocked);

    const body = await waitFor('readyz to report the stall', async () => {
      const res = await fetch(`${runtime?.internalAddress}/readyz`);
      return res.status === 503
        ? ((await res.json()) as { checks: { progress: { ok: boolean } } })
        : undefined;
    });
    expect(body.checks.progress.ok).toBe(false);

    release();
    await holding;
    await blocker.destroy();
    await world.waitForOracle();
    await waitFor('ready again', async () => ((await readyz()) === 200 ? true : undefined));
  });
});
