import type { EventType } from '@fleet/contracts';
import { readTopic, waitFor } from '@fleet/testkit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deadLetterHeaders,
  deadLetterTopicOf,
  defineProcessor,
  type ProcessorDefinition,
  ProcessorRuntime,
} from '../src/index.ts';
import { POISON_AMOUNT } from './ledger.ts';
import { type LedgerInput, type LedgerWorld, ledgerWorld, movements } from './ledger-harness.ts';

// Failures anywhere in a sub-batch, not only in handlers, end with the record in the DLQ and the
// rest applied: no record stalls its partition.
describe('record isolation on real Kafka, registry and Postgres', () => {
  let world: LedgerWorld;
  const running: ProcessorRuntime<unknown>[] = [];

  beforeAll(async () => {
    world = await ledgerWorld('ledger_isolation');
  });
  afterAll(async () => {
    for (const runtime of running) await runtime.stop();
    await world.close();
  });

  const dlqOf = async (processor: string) =>
    (await readTopic(world.kafka, world.admin, deadLetterTopicOf({ name: processor } as never))).filter(
      // Dead-letter topics are named after the processor: keep to this run's source topic.
      (d) =>
        d.headers[deadLetterHeaders.processor] === processor &&
        d.headers[deadLetterHeaders.sourceTopic] === world.contracts.accounts.name,
    );

  /** A second processor of its own (schema, group, DLQ) over the test's topic. */
  const startSideProcessor = async (
    definition: ProcessorDefinition<unknown>,
    env: Record<string, string> = {},
  ) => {
    const { name } = definition;
    const runtime = (await ProcessorRuntime.start(definition, {
      config: world.config({ HTTP_PORT: '0', PROCESSOR_DB_SCHEMA: name, PROCESSOR_GROUP_ID: name, ...env }),
    })) as ProcessorRuntime<unknown>;
    running.push(runtime);
    const applied = async (id: string) =>
      (
        await sql`select 1 from ${sql.table(`${name}.processed_events`)} where event_id = ${id}`.execute(
          world.db,
        )
      ).rows.length === 1;
    const deadLettered = (id: string) =>
      waitFor(`${id} in the DLQ`, async () => {
        const found = (await dlqOf(name)).filter((l) => l.headers.ce_id === id);
        return found.length > 0 ? found : undefined;
      });
    return { applied, deadLettered };
  };

  it('dead-letters records whose envelope no consumer can store, applies everything around them', async () => {
    const runtime = (await world.start({ HTTP_PORT: '0' })) as ProcessorRuntime<unknown>;
    running.push(runtime);
    const [first, second] = movements(2, 2);
    const good = await world.encode(first as LedgerInput);
    const headers = good.headers as Record<string, string>;
    const hostile = [
      { ...good, headers: { ...headers, ce_id: 'nul\u0000id' } },
      { ...good, headers: { ...headers, ce_id: 'x'.repeat(8_000) } },
      { ...good, headers: { ...headers, ce_id: 'corr-nul', ce_correlationid: 'c\u0000' } },
    ];
    const traced = { ...(second as LedgerInput), id: `${(second as LedgerInput).id}-traced` };
    const tracedRecord = await world.encode(traced);
    tracedRecord.headers = { ...tracedRecord.headers, traceparent: '00-\u0000-broken' };
    await world.sendRaw([...hostile, tracedRecord]);
    world.sent.push(traced);
    await world.send(movements(30, 3));
    await world.waitForOracle();

    const letters = await dlqOf(world.definition.name);
    expect(letters.map((l) => l.headers[deadLetterHeaders.errorCode])).toEqual([
      'ENVELOPE_INVALID',
      'ENVELOPE_INVALID',
      'ENVELOPE_INVALID',
    ]);
    for (const letter of letters) expect(letter.value).toEqual(good.value);
  });

  it('isolates a failure outside any handler (a follow-on the outbox cannot store) to its record', async () => {
    const { Deposited, BalanceChanged } = world.contracts;
    // Its own processor over the same topic: every deposit announces a balance keyed by account,
    // and an account ID with a NUL byte makes the outbox insert fail after the handler succeeded.
    const name = 'ledger_isolation_notices';
    const definition = defineProcessor<unknown>()({
      name,
      publishes: [BalanceChanged as EventType],
      routes: ({ on }) => [
        on(Deposited, async (event, ctx) => {
          const { accountId, amount, seq } = event.data;
          await ctx.publish(BalanceChanged, { accountId, balance: amount, seq });
        }),
      ],
      migrations: {},
    });
    const side = await startSideProcessor(definition);
    const unstorable: LedgerInput = {
      id: 'unstorable-follow-on',
      type: 'Deposited',
      data: { accountId: 'acct\u0000', amount: 5, seq: 0 },
    };
    const marker: LedgerInput = {
      id: 'marker-after',
      type: 'Deposited',
      data: { accountId: 'm', amount: 1, seq: 0 },
    };
    // Sent raw: the ledger of the other tests dead-letters the NUL account too, and its oracle
    // must not count these.
    const record = await world.encode(unstorable);
    record.headers = { ...record.headers, ce_subject: 'acct' }; // a storable envelope: only the follow-on fails
    await world.sendRaw([record, await world.encode(marker)]);
    world.sent.push(marker); // the ledger applies it too
    await waitFor('the marker behind the bad record to be applied', async () =>
      (await side.applied(marker.id)) ? true : undefined,
    );
    const letters = await side.deadLettered(unstorable.id);
    expect(letters).toHaveLength(1);
    expect(letters[0]?.headers[deadLetterHeaders.errorCode]).toBe('22021');
    expect(letters[0]?.value).toEqual((await world.encode(unstorable)).value);
    expect(await side.applied(unstorable.id)).toBe(false);
  });

  it('ends a handler that would hang its partition with the statement timeout, and goes on', async () => {
    const { Deposited } = world.contracts;
    const name = 'ledger_isolation_slow';
    // A record whose handling never ends (a query that waits forever) must not hold the partition.
    const definition = defineProcessor<unknown>()({
      name,
      routes: ({ on }) => [
        on(Deposited, async (event, ctx) => {
          if (event.data.accountId === 'hangs') await sql`select pg_sleep(3600)`.execute(ctx.db);
        }),
      ],
      migrations: {},
    });
    const side = await startSideProcessor(definition, { DATABASE_STATEMENT_TIMEOUT_MS: '500' });
    const hangs: LedgerInput = {
      id: 'hangs-forever',
      type: 'Deposited',
      data: { accountId: 'hangs', amount: 1, seq: 0 },
    };
    const after: LedgerInput = {
      id: 'after-hang',
      type: 'Deposited',
      data: { accountId: 'fine', amount: 2, seq: 1 },
    };
    // Same key, so the same partition: right behind the hanging record.
    await world.sendRaw([await world.encode(hangs), { ...(await world.encode(after)), key: 'hangs' }]);
    world.sent.push(hangs, after); // the ledger of the other tests applies both
    await waitFor('the record behind the hanging one to be applied', async () =>
      (await side.applied(after.id)) ? true : undefined,
    );
    const letters = await side.deadLettered(hangs.id);
    expect(letters[0]?.headers[deadLetterHeaders.errorMessage]).toContain('statement timeout');
    expect(await side.applied(hangs.id)).toBe(false);
  });

  it('dead-letters a record the DLQ cannot hold whole without its bytes, saying why, and goes on', async () => {
    const [first] = movements(1, 1, 'too-large');
    const good = await world.encode(first as LedgerInput);
    // Fits the source topic (1 MB by default), not once the dead-letter reasons are added.
    const huge = {
      key: good.key,
      value: Buffer.alloc(1_048_000, 1),
      headers: { ...(good.headers as Record<string, string>), ce_id: 'too-large-for-the-dlq' },
    };
    await world.sendRaw([huge]);
    await world.send(movements(5, 1, 'behind-huge'));
    await world.waitForOracle();
    const letter = (await dlqOf(world.definition.name)).find(
      (l) => l.headers.ce_id === undefined && l.value === null,
    );
    expect(letter?.headers[deadLetterHeaders.errorCode]).toBe('BAD_MAGIC_BYTE');
    expect(letter?.headers[deadLetterHeaders.originalOmitted]).toMatch(/too large|larger/i);
    expect(letter?.headers[deadLetterHeaders.sourceOffset]).toBeDefined();
  });

  it('dead-letters a sub-batch of 500 failing events in bounded time, heartbeating, each once', async () => {
    // A short session: retries that sleep without heartbeats would lose the group many times over.
    const poison = movements(500, 50, 'poison').map(
      (m) => ({ ...m, type: 'Deposited', data: { ...m.data, amount: POISON_AMOUNT } }) satisfies LedgerInput,
    );
    for (const runtime of running.splice(0)) await runtime.stop();
    running.push(
      (await world.start({
        HTTP_PORT: '0',
        PROCESSOR_SESSION_TIMEOUT_MS: '6000',
        PROCESSOR_BATCH_SIZE: '500',
      })) as ProcessorRuntime<unknown>,
    );
    const started = Date.now();
    await world.send(poison);
    const marker = movements(1, 1, 'after-poison');
    await world.send(marker);
    await world.waitForOracle(120_000);
    const elapsed = Date.now() - started;

    const letters = (await dlqOf(world.definition.name)).filter((l) => l.headers.ce_id?.startsWith('poison'));
    expect(letters).toHaveLength(500);
    expect(new Set(letters.map((l) => l.headers.ce_id)).size).toBe(500);
    expect(letters.every((l) => l.headers[deadLetterHeaders.attempts] === '3')).toBe(true);
    // Generous: 500 events × 3 attempts take a few seconds; sleeping per event took minutes.
    expect(elapsed).toBeLessThan(60_000);
  });
});
