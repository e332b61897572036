import { kyselyFor, uniqueName, waitFor } from '@fleet/testkit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deadLetterTopicOf,
  finalizeRebuild,
  PermanentError,
  type ProcessedEvent,
  type ProcessorRuntime,
  RebuildError,
  rebuildProcessor,
  rollbackRebuild,
} from '../src/index.ts';
import { POISON_AMOUNT } from './ledger.ts';
import { type LedgerInput, type LedgerWorld, ledgerWorld, movements } from './ledger-harness.ts';

// Enough for many batches on every partition while live traffic flows (each rebuild replays them all,
// four times in this file, at about 1,000 events/s here); REBUILD_TEST_EVENTS=100000 for a longer run.
const events = Number(process.env.REBUILD_TEST_EVENTS ?? 20_000);

// Rebuild side by side while the live version serves reads and keeps consuming; switch, roll back,
// abort, and refuse a second rebuild at once.
describe('rebuilding projections by replay', () => {
  let world: LedgerWorld;
  let live: ProcessorRuntime<unknown>;
  const name = 'ledger_rebuild';
  const snapshot = async () =>
    (
      await sql<{
        row: string;
      }>`select account_id || ':' || balance || ':' || applied as row from ${sql.id(name, 'balances')} order by account_id`.execute(
        world.db,
      )
    ).rows.map((r) => r.row);
  const history = async () =>
    (
      await sql<{
        row: string;
      }>`select account_id || ':' || seq || ':' || amount as row from ${sql.id(name, 'history')} order by account_id, seq`.execute(
        world.db,
      )
    ).rows.map((r) => r.row);

  beforeAll(async () => {
    world = await ledgerWorld(name);
    live = (await world.start({ PROCESSOR_LAG_INTERVAL_MS: '500' })) as ProcessorRuntime<unknown>;
    const input = movements(events, 2_000);
    for (let i = 0; i < input.length; i += 5_000) await world.send(input.slice(i, i + 5_000));
    await world.waitForOracle(300_000);
  }, 600_000);
  afterAll(async () => {
    await live.stop();
    await world.close();
  });

  it('rebuilds row for row while reads keep answering and live events keep flowing; publishes nothing itself', async () => {
    const before = { balances: await snapshot(), history: await history() };
    const noticesBefore = (await world.readTopic(world.contracts.notices.name)).length;

    // A reader polls the live projection throughout: it must never fail nor see it empty.
    const reader = kyselyFor(world.database.url);
    let reads = 0;
    let readProblem: string | undefined;
    let reading = true;
    const polling = (async () => {
      while (reading) {
        try {
          const { rows } = await sql<{
            n: number;
          }>`select count(*)::int as n from ${sql.id(name, 'balances')}`.execute(reader);
          if ((rows[0]?.n ?? 0) === 0) readProblem = 'an empty answer';
          reads++;
        } catch (error) {
          readProblem = (error as Error).message;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    })();

    const during = movements(2_000, 100, 'during');
    const progress: number[] = [];
    const rebuilding = rebuildProcessor(world.definition, {
      config: world.config({ LOG_LEVEL: 'silent' }),
      onProgress: (p) => progress.push(p.done),
    });
    await world.send(during); // live keeps consuming while the rebuild runs
    const result = await rebuilding;
    reading = false;
    await polling;
    await reader.destroy();

    expect(readProblem).toBeUndefined();
    expect(reads).toBeGreaterThan(10);
    expect(progress.length).toBeGreaterThan(0);
    expect(result.events).toBeGreaterThanOrEqual(events);
    await world.waitForOracle();
    // The rebuilt projection holds, row for row, what the incremental one held plus the events sent during it.
    const duringRows = during.map(
      (m) => `${m.data.accountId}:${m.data.seq}:${m.type === 'Deposited' ? m.data.amount : -m.data.amount}`,
    );
    expect((await history()).sort()).toEqual([...before.history, ...duringRows].sort());

    // Follow-ons: the live version published those of the new events; the rebuild none (no duplicates).
    await waitFor('the outbox to drain', async () => {
      const { rows } = await sql<{
        n: number;
      }>`select count(*)::int as n from ${sql.id(name, 'outbox')}`.execute(world.db);
      return rows[0]?.n === 0 ? true : undefined;
    });
    const notices = await world.readTopic(world.contracts.notices.name);
    const ids = notices.map((n) => n.headers.ce_id);
    expect(new Set(ids).size).toBe(ids.length);
    const newNotices = during.filter((m) => m.type === 'Deposited' && m.data.seq % 5 === 0).length;
    expect(notices.length).toBe(noticesBefore + newNotices);
  }, 600_000);

  it('refuses a second rebuild while the previous version is kept, and rolls back to it', async () => {
    await expect(rebuildProcessor(world.definition, { config: world.config() })).rejects.toMatchObject({
      code: 'PREVIOUS_NOT_FINALIZED',
    });
    const more = movements(500, 50, 'after-switch');
    await world.send(more);
    await world.waitForOracle();
    await rollbackRebuild(world.definition, { config: world.config() });
    // The old version caught up on what the new one applied after the switch.
    await world.waitForOracle();
  }, 600_000);

  it('an aborted rebuild leaves the live version untouched and the next one starts clean', async () => {
    const before = await snapshot();
    const abort = new AbortController();
    const aborted = rebuildProcessor(world.definition, {
      config: world.config(),
      signal: abort.signal,
      acceptPartial: true,
      onProgress: (p) => {
        if (p.done > 0) abort.abort();
      },
    });
    await expect(aborted).rejects.toBeInstanceOf(RebuildError);
    expect(await snapshot()).toEqual(before);

    const [first, second] = await Promise.allSettled([
      rebuildProcessor(world.definition, { config: world.config() }),
      new Promise((r) => setTimeout(r, 300)).then(() =>
        rebuildProcessor(world.definition, { config: world.config() }),
      ),
    ]);
    expect(second.status).toBe('rejected');
    expect((second as PromiseRejectedResult).reason).toMatchObject({ code: 'REBUILD_IN_PROGRESS' });
    expect(first.status).toBe('fulfilled');
    await world.waitForOracle();
    await finalizeRebuild(world.definition, { config: world.config() });
    const { rows } = await sql<{
      n: number;
    }>`select count(*)::int as n from pg_namespace where nspname like ${`${name}\\_\\_%`}`.execute(world.db);
    expect(rows[0]?.n).toBe(1); // only the rolled-back version from the previous test remains
  }, 600_000);

  it('adds no second letter for records the live version dead-lettered; a record only the rebuilt version fails gets one', async () => {
    const dlq = deadLetterTopicOf(world.definition);
    const account = uniqueName('acct-poison');
    const poison: LedgerInput = {
      id: uniqueName('poison'),
      type: 'Deposited',
      data: { accountId: account, amount: POISON_AMOUNT, seq: 0 },
    };
    const refused: LedgerInput = {
      id: uniqueName('refused'),
      type: 'Deposited',
      data: { accountId: account, amount: 1, seq: 1 },
    };
    const marker: LedgerInput = {
      id: uniqueName('marker'),
      type: 'Deposited',
      data: { accountId: account, amount: 2, seq: 2 },
    };
    const unreadable = { ...(await world.encode(marker)), value: Buffer.from('not the wire format') };
    const unreadableId = uniqueName('unreadable');
    unreadable.headers = { ...(unreadable.headers as Record<string, string>), ce_id: unreadableId };
    await world.send([poison, refused]);
    await world.sendRaw([unreadable]);
    // Same key, so same partition, behind both: once the live version applied it, both were dead-lettered.
    await world.send([marker]);
    await world.waitForOracle();
    const lettersOf = async (id: string) =>
      (await world.readTopic(dlq)).filter((l) => l.headers.ce_id === id);
    expect(await lettersOf(poison.id)).toHaveLength(1);
    expect(await lettersOf(unreadableId)).toHaveLength(1);
    expect(await lettersOf(refused.id)).toHaveLength(0);

    // The rebuilt version refuses one record the live version applied: that one is a new letter.
    const refusing = {
      ...world.definition,
      routes: world.definition.routes.map((route) =>
        route.kind === 'each'
          ? ({
              ...route,
              handler: async (event: ProcessedEvent<unknown>, ctx: Parameters<typeof route.handler>[1]) => {
                if (event.meta.id === refused.id) throw new PermanentError('the rebuilt version refuses it');
                await route.handler(event, ctx);
              },
            } as typeof route)
          : route,
      ),
    };
    const result = await rebuildProcessor(refusing, { config: world.config() });

    // The replica stopped, and every letter it sent was acknowledged, before the rebuild returned.
    expect(await lettersOf(poison.id)).toHaveLength(1);
    expect(await lettersOf(unreadableId)).toHaveLength(1);
    expect(await lettersOf(refused.id)).toHaveLength(1);
    expect(result.alreadyDeadLettered).toBeGreaterThanOrEqual(2);
  }, 600_000);
});
