import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '@fleet/testkit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deterministicId } from '../src/index.ts';
import { type ServiceProcess, startProcess } from './child-process.ts';
import { type LedgerWorld, ledgerWorld, movements } from './ledger-harness.ts';

const main = new URL('./ledger-main.ts', import.meta.url);

// Processes are killed, stopped and added while events stream in; the projection must still equal
// the oracle and every follow-on event ID must be published.
describe('crash, shutdown and rebalance while consuming (separate processes)', () => {
  let world: LedgerWorld;
  const running = new Set<ServiceProcess>();
  const name = 'ledger_crash';

  const start = () => {
    const p = startProcess(main, {
      ...world.env,
      LOG_LEVEL: 'warn',
      PROCESSOR_BATCH_SIZE: '200',
      PROCESSOR_SESSION_TIMEOUT_MS: '6000', // a killed member is noticed sooner
      LEDGER_ACCOUNTS_TOPIC: world.contracts.accounts.name,
      LEDGER_NOTICES_TOPIC: world.contracts.notices.name,
      LEDGER_NAME: name,
    });
    running.add(p);
    void p.exited.then(() => running.delete(p));
    return p;
  };
  const applied = async () => {
    const { rows } = await sql<{
      n: number;
    }>`select count(*)::int as n from ${sql.id(name, 'processed_events')}`
      .execute(world.db)
      .catch(() => ({ rows: [{ n: 0 }] }));
    return rows[0]?.n ?? 0;
  };
  const appliedAtLeast = (n: number) =>
    waitFor(`${n} applied events`, async () => ((await applied()) >= n ? true : undefined), {
      timeoutMs: 120_000,
    });

  beforeAll(async () => {
    world = await ledgerWorld(name);
  });
  afterAll(async () => {
    for (const p of running) p.child.kill('SIGKILL');
    await world.close();
  });

  it('loses nothing and applies nothing twice across SIGKILL, SIGTERM and a second instance', async () => {
    const input = movements(30_000, 500);
    const sending = (async () => {
      for (let i = 0; i < input.length; i += 1_000) {
        await world.send(input.slice(i, i + 1_000));
        await sleep(50);
      }
    })();

    let a = start();
    await appliedAtLeast(2_000);
    a.child.kill('SIGKILL'); // mid-batch, no warning
    await a.exited;

    a = start();
    await appliedAtLeast(8_000);
    a.child.kill('SIGTERM');
    expect(await a.exited).toBe(0);

    a = start();
    await appliedAtLeast(12_000);
    const b = start(); // joins: the group rebalances
    await appliedAtLeast(18_000);
    b.child.kill('SIGTERM'); // leaves: rebalances again
    expect(await b.exited).toBe(0);

    await sending;
    await world.waitForOracle(180_000);

    // Every follow-on event ID is on the topic; a redelivery after a crash repeats an ID, never invents one.
    const expected = new Set(
      input
        .filter((m) => m.type === 'Deposited' && m.data.seq % 5 === 0)
        .map((m) => deterministicId(m.id, name, 0)),
    );
    await waitFor('the outbox to drain', async () => {
      const { rows } = await sql<{
        n: number;
      }>`select count(*)::int as n from ${sql.id(name, 'outbox')}`.execute(world.db);
      return rows[0]?.n === 0 ? true : undefined;
    });
    const published = (await world.readTopic(world.contracts.notices.name)).map((n) => n.headers.ce_id);
    expect(new Set(published)).toEqual(expected);
    a.child.kill('SIGTERM');
    expect(await a.exited).toBe(0);
  }, 400_000);
});
