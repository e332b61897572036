import { uniqueName, waitFor } from '@fleet/testkit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ProcessorDefinition, ProcessorRuntime } from '../src/index.ts';
import type { LedgerDb } from './ledger.ts';
import { type LedgerWorld, ledgerWorld, movements } from './ledger-harness.ts';

const QUERY_POOL = 2;
const SLOW_READS = 12;
const SLOW_SECONDS = 4;

// The public listener serves the query API through a pool of its own; the internal one the operators.
describe('two listeners and two pools', () => {
  let world: LedgerWorld;
  let runtime: ProcessorRuntime<LedgerDb>;
  const name = uniqueName('ledger_listeners');

  beforeAll(async () => {
    world = await ledgerWorld(name);
    // The ledger with a query API: one route that holds its connection for a while, one that counts.
    const definition: ProcessorDefinition<LedgerDb> = {
      ...(world.definition as ProcessorDefinition<LedgerDb>),
      http: (app, { db }) => {
        app.get('/slow', async () => {
          await sql`select pg_sleep(${SLOW_SECONDS})`.execute(db);
          return { slept: SLOW_SECONDS };
        });
        app.get('/balances/count', async () => {
          const { rows } = await sql<{ n: number }>`select count(*)::int as n from balances`.execute(db);
          return { count: rows[0]?.n };
        });
      },
    };
    runtime = await ProcessorRuntime.start(definition, {
      config: world.config({
        HTTP_PORT: '0',
        DATABASE_POOL_MAX: '3',
        DATABASE_QUERY_POOL_MAX: String(QUERY_POOL),
        PROCESSOR_PARTITIONS_CONCURRENCY: '2',
        FLEET_ADMIN_TOKEN: 'listeners-test-token-0123456789',
      }),
    });
  });
  afterAll(async () => {
    await runtime?.stop();
    await world.close();
  });

  it("serves the service's routes on the public listener and the operators' on the internal one", async () => {
    const pub = runtime.httpAddress as string;
    const internal = runtime.internalAddress as string;
    expect(new URL(pub).port).not.toBe(new URL(internal).port);
    expect(new URL(internal).hostname).toBe('127.0.0.1');
    expect((await fetch(`${pub}/balances/count`)).status).toBe(200);
    expect((await fetch(`${pub}/healthz`)).status).toBe(200);
    for (const path of ['/readyz', '/metrics', '/asyncapi.yaml', '/admin/status'])
      expect((await fetch(`${pub}${path}`)).status, `public ${path}`).toBe(404);
    expect((await fetch(`${internal}/readyz`)).status).toBe(200);
    expect((await fetch(`${internal}/metrics`)).status).toBe(200);
    expect((await fetch(`${internal}/balances/count`)).status).toBe(404);
    const { rows } = await sql<{ http_address: string; public_address: string }>`
      select http_address, public_address from fleet.instances where instance_id = ${runtime.instanceId}`.execute(
      world.db,
    );
    expect(rows).toEqual([{ http_address: internal, public_address: pub }]);
  });

  it('keeps consuming while slow reads hold every connection of the query pool', async () => {
    // More slow reads than the query pool has connections: they queue for ~24 s in all.
    const started = Date.now();
    const reads = Array.from({ length: SLOW_READS }, () =>
      fetch(`${runtime.httpAddress}/slow`).then((r) => r.status),
    );
    const sleepers = async () =>
      (
        await sql<{ application_name: string }>`
          select application_name from pg_stat_activity
          where datname = current_database() and query like '%pg_sleep%' and state = 'active'
            and pid <> pg_backend_pid()`.execute(world.db)
      ).rows.map((r) => r.application_name);
    await waitFor('every query connection busy', async () =>
      (await sleepers()).length >= QUERY_POOL ? true : undefined,
    );

    await world.send(movements(300, 10));
    await world.waitForOracle(12_000);
    const appliedAfter = Date.now() - started;
    console.log(
      `300 events applied ${appliedAfter} ms after ${SLOW_READS} slow reads began (they drain in ~${(SLOW_READS / QUERY_POOL) * SLOW_SECONDS} s)`,
    );
    expect((await fetch(`${runtime.internalAddress}/readyz`)).status).toBe(200);
    // Still sleeping, on the query pool's own connections only: the consumer's were free throughout.
    expect(await sleepers()).toEqual(Array(QUERY_POOL).fill(`${name}-query`));

    // The reads were still queued while all of that was applied: they never shared the consumer's pool.
    const drainSeconds = (SLOW_READS / QUERY_POOL) * SLOW_SECONDS;
    expect(appliedAfter).toBeLessThan(drainSeconds * 1000 - 4_000);
    expect(await Promise.all(reads)).toEqual(Array(SLOW_READS).fill(200));
  }, 90_000);
});
