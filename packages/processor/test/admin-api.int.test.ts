import { uniqueName, waitFor } from '@fleet/testkit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeadLetterSummary, ProcessorRuntime, RebuildJob, ReplayResult } from '../src/index.ts';
import { POISON_AMOUNT } from './ledger.ts';
import { type LedgerInput, type LedgerWorld, ledgerWorld, movements } from './ledger-harness.ts';

const token = 'admin-api-test-token-0123456789';

// The CLI's operations as admin HTTP endpoints of a running instance: dead letters, replay, rebuild.
describe('admin API: dead letters, replay and rebuild over HTTP', () => {
  let world: LedgerWorld;
  let runtime: ProcessorRuntime<unknown>;
  const name = uniqueName('ledger_admin');

  const call = async (method: string, path: string, body?: unknown, auth = token) => {
    const response = await fetch(`${runtime.internalAddress}${path}`, {
      method,
      headers: {
        ...(auth ? { authorization: `Bearer ${auth}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    // A success body, or the fleet's error body (`error` read only on error answers).
    return {
      status: response.status,
      body: (await response.json()) as Record<string, unknown> & {
        error?: { code: string; message: string; details?: unknown };
      },
    };
  };
  const deadLetterCount = async () =>
    (await world.admin.fetchTopicOffsets(`${name}.dlq`)).reduce(
      (s, o) => s + Number(o.high) - Number(o.low),
      0,
    );
  const committed = async () => {
    const [offsets] = await world.admin.fetchOffsets({
      groupId: name,
      topics: [world.contracts.accounts.name],
    });
    return offsets?.partitions.reduce((s, p) => s + Math.max(Number(p.offset), 0), 0) ?? 0;
  };

  beforeAll(async () => {
    world = await ledgerWorld(name);
    runtime = (await world.start({ HTTP_PORT: '0', FLEET_ADMIN_TOKEN: token })) as ProcessorRuntime<unknown>;
    const input = movements(40, 4);
    const original = input[7] as LedgerInput;
    input[7] = { ...original, type: 'Deposited', data: { ...original.data, amount: POISON_AMOUNT } };
    await world.send(input);
    await world.waitForOracle();
    await waitFor('the poison event in the DLQ', async () =>
      (await deadLetterCount()) === 1 ? true : undefined,
    );
  });
  afterAll(async () => {
    await runtime?.stop();
    await world.close();
  });

  it('answers 401 without the token on every admin endpoint', async () => {
    for (const [method, path] of [
      ['GET', '/admin/dlq'],
      ['POST', '/admin/dlq/redrive'],
      ['POST', '/admin/replay'],
      ['POST', '/admin/rebuild'],
    ] as const)
      expect((await call(method, path, undefined, 'wrong')).status, `${method} ${path}`).toBe(401);
  });

  it('lists and shows dead letters, and answers bad queries and unknown positions precisely', async () => {
    const list = await call('GET', '/admin/dlq?errorCode=HANDLER_FAILED');
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(1);
    const [letter] = list.body.deadLetters as DeadLetterSummary[];
    expect(letter).toMatchObject({ errorCode: 'HANDLER_FAILED', eventId: movementsId(7) });

    const none = await call('GET', '/admin/dlq?errorCode=DECODE_FAILED');
    expect(none.body).toMatchObject({ total: 0, deadLetters: [] });

    const bad = await call('GET', '/admin/dlq?since=yesterday&limit=0');
    expect(bad.status).toBe(400);
    expect(bad.body.error?.code).toBe('BAD_REQUEST');
    expect(bad.body.error?.message).toMatch(/since: .*; limit: /);

    const shown = await call('GET', `/admin/dlq/${letter?.partition}/${letter?.offset}`);
    expect(shown.status).toBe(200);
    expect((shown.body.headers as Record<string, string>).dlq_error_code).toBe('HANDLER_FAILED');

    const missing = await call('GET', `/admin/dlq/${letter?.partition}/999`);
    expect(missing.status).toBe(404);
    expect(missing.body.error?.code).toBe('DEAD_LETTER_NOT_FOUND');
  });

  it('redrives to the processor (still poison: dead-lettered again), purges only when confirmed', async () => {
    expect((await call('POST', '/admin/dlq/redrive', {})).body.error?.code).toBe('SELECTION_REQUIRED');
    const redriven = await call('POST', '/admin/dlq/redrive', { all: true });
    expect(redriven.status).toBe(200);
    expect(redriven.body.count).toBe(1);
    await waitFor('the redriven poison back in the DLQ', async () =>
      (await deadLetterCount()) === 2 ? true : undefined,
    );

    const unconfirmed = await call('POST', '/admin/dlq/purge', {});
    expect(unconfirmed.status).toBe(409);
    expect(unconfirmed.body.error?.code).toBe('CONFIRMATION_REQUIRED');
    expect(await deadLetterCount()).toBe(2);
    const purged = await call('POST', '/admin/dlq/purge', { confirm: true });
    expect(purged.body).toMatchObject({ deleted: 2 });
    expect(await deadLetterCount()).toBe(0);
  });

  it('replays through this instance only when it is the only one; redelivery changes nothing', async () => {
    const end = await committed();
    const other = (await world.start()) as ProcessorRuntime<unknown>;
    try {
      await waitFor('two members', async () => {
        const [group] = (await world.admin.describeGroups([name])).groups;
        return group?.members.length === 2 ? true : undefined;
      });
      const dry = await call('POST', '/admin/replay', { from: 'earliest', dryRun: true });
      expect(dry.status).toBe(200);
      expect((dry.body as unknown as ReplayResult).activeMembers).toHaveLength(2);
      const refused = await call('POST', '/admin/replay', { from: 'earliest' });
      expect(refused.status).toBe(409);
      expect(refused.body.error?.code).toBe('GROUP_ACTIVE');
    } finally {
      await other.stop();
    }
    const bad = await call('POST', '/admin/replay', { from: 'earliest', toOffsets: [] });
    expect(bad.status).toBe(400);

    const replayed = await call('POST', '/admin/replay', { from: 'earliest' });
    expect(replayed.status).toBe(200);
    const result = replayed.body as unknown as ReplayResult;
    expect(result.partitions.every((p) => p.after === 0)).toBe(true);
    // The instance joined again, read everything a second time and skipped it all by event ID.
    await waitFor('the group back at the end', async () => ((await committed()) === end ? true : undefined));
    await world.waitForOracle();
  });

  it('rebuilds in the background with progress, refuses a second one, finalizes', async () => {
    const started = await call('POST', '/admin/rebuild', { from: 'earliest' });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ kind: 'rebuild' });
    const job = await waitFor(
      'the rebuild to finish',
      async () => {
        const { body } = await call('GET', '/admin/rebuild');
        return (body as unknown as RebuildJob).state === 'running'
          ? undefined
          : (body as unknown as RebuildJob);
      },
      { timeoutMs: 120_000 },
    );
    expect(job.state).toBe('done');
    expect(job.result?.events).toBe(await committed());
    await world.waitForOracle();

    const again = await call('POST', '/admin/rebuild', {});
    expect(again.status).toBe(409);
    expect(again.body.error?.code).toBe('PREVIOUS_NOT_FINALIZED');
    expect((await call('POST', '/admin/rebuild/finalize')).body).toEqual({ finalized: true });
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from pg_namespace where nspname = ${`${name}__previous`}`.execute(world.db);
    expect(rows[0]?.n).toBe(0);
  });

  it('refuses to rebuild over a retention gap and names it, with when the first record left was written', async () => {
    const topic = world.contracts.accounts.name;
    const ends = await world.admin.fetchTopicOffsets(topic);
    const cut = ends.find((e) => Number(e.high) >= 2);
    if (!cut) throw new Error('no partition with 2 records');
    await world.admin.deleteTopicRecords({
      topic,
      partitions: [{ partition: cut.partition, offset: String(Number(cut.high) - 1) }],
    });
    const refused = await call('POST', '/admin/rebuild', { from: 'earliest' });
    expect(refused.status).toBe(409);
    expect(refused.body.error?.code).toBe('RETENTION_GAP');
    expect(refused.body.error?.message).toContain(
      `${topic}[${cut.partition}]: records before offset ${Number(cut.high) - 1}`,
    );
    expect((refused.body.error?.details as { gaps?: unknown[] } | undefined)?.gaps).toEqual([
      {
        topic,
        partition: cut.partition,
        earliestAvailable: String(Number(cut.high) - 1),
        firstAvailableAt: expect.stringMatching(/^20\d\d-/),
      },
    ]);
    expect((await call('GET', '/admin/rebuild')).body).toMatchObject({
      state: 'failed',
      error: { code: 'RETENTION_GAP' },
    });
  });

  it('refuses to redrive a dead letter that names a topic the processor does not read', async () => {
    const victim = uniqueName('victim');
    await world.admin.createTopics({ topics: [{ topic: victim, numPartitions: 1 }], waitForLeaders: true });
    const producer = world.kafka.producer();
    await producer.connect();
    const [sent] = await producer.send({
      topic: `${name}.dlq`,
      acks: -1,
      messages: [
        {
          key: 'forged',
          value: 'injected',
          headers: {
            dlq_source_topic: victim,
            dlq_source_partition: '0',
            dlq_source_offset: '0',
            dlq_processor: name,
            dlq_error_code: 'HANDLER_FAILED',
          },
        },
      ],
    });
    await producer.disconnect();
    const position = { partition: sent?.partition ?? 0, offset: Number(sent?.baseOffset ?? 0) };
    const refused = await call('POST', '/admin/dlq/redrive', { positions: [position] });
    expect(refused.status).toBe(409);
    expect(refused.body.error?.code).toBe('SOURCE_NOT_OWN_TOPIC');
    expect(refused.body.error?.message).toContain(victim);
    expect((await call('POST', '/admin/dlq/redrive', { all: true })).body.error?.code).toBe(
      'SOURCE_NOT_OWN_TOPIC',
    );
    const [victimEnd] = await world.admin.fetchTopicOffsets(victim);
    expect(victimEnd?.high).toBe('0');
  });

  const movementsId = (i: number) => world.sent[i]?.id;
});
