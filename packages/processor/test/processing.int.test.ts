import { waitFor } from '@fleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadLetterHeaders, deadLetterTopicOf, type ProcessorRuntime } from '../src/index.ts';
import { POISON_AMOUNT } from './ledger.ts';
import { type LedgerInput, type LedgerWorld, ledgerWorld, movements } from './ledger-harness.ts';

describe('processor runtime on real Kafka, registry and Postgres', () => {
  let world: LedgerWorld;
  let runtime: ProcessorRuntime<unknown> | undefined;

  beforeAll(async () => {
    world = await ledgerWorld('ledger_processing');
  });
  afterAll(async () => {
    await runtime?.stop();
    await world.close();
  });

  it('applies every event once, in order per key, even when delivered twice at other offsets', async () => {
    const input = movements(600, 20);
    await world.send(input);
    await world.send(input.slice(100, 160)); // a producer retry: same IDs, new offsets
    runtime = (await world.start({
      HTTP_PORT: '0',
      PROCESSOR_BATCH_SIZE: '50',
    })) as ProcessorRuntime<unknown>;
    await world.waitForOracle();

    const history = await world.db.selectFrom('history').selectAll().orderBy('n').execute();
    expect(history).toHaveLength(600);
    const lastSeq = new Map<string, number>();
    for (const row of history) {
      expect(row.seq).toBeGreaterThan(lastSeq.get(row.account_id) ?? -1);
      lastSeq.set(row.account_id, row.seq);
    }
  });

  it('changes nothing when the same offsets are consumed again (group reset to the start)', async () => {
    const before = await world.balances();
    await runtime?.stop();
    await world.admin.resetOffsets({
      groupId: world.definition.name,
      topic: world.contracts.accounts.name,
      earliest: true,
    });
    runtime = (await world.start({ HTTP_PORT: '0' })) as ProcessorRuntime<unknown>;
    await world.waitForOracle();
    expect(await world.balances()).toEqual(before);
  });

  it('publishes follow-on events through the outbox: each deterministic ID exactly once', async () => {
    // Every 5th movement per account announces its balance (seq % 5 === 0) unless it is a withdrawal.
    const expected = world.sent
      .filter((m, i, all) => all.findIndex((o) => o.id === m.id) === i)
      .filter((m) => m.type === 'Deposited' && m.data.seq % 5 === 0).length;
    await waitFor('the outbox to drain', async () => {
      const { count } = (await world.db
        .selectFrom('outbox' as never)
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .executeTakeFirstOrThrow()) as { count: number };
      return Number(count) === 0 ? true : undefined;
    });
    const notices = await world.readTopic(world.contracts.notices.name);
    const ids = notices.map((n) => n.headers.ce_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(expected);
    expect(notices.every((n) => n.headers.ce_type === world.contracts.BalanceChanged.type)).toBe(true);
    expect(notices.every((n) => n.headers.ce_causationid?.startsWith('evt'))).toBe(true);
  });

  it('dead-letters a poison event with its source and reason, applies the rest of the batch in order', async () => {
    const batch = movements(40, 4);
    const original = batch[10] as LedgerInput;
    const poison: LedgerInput = {
      ...original,
      type: 'Deposited',
      data: { ...original.data, amount: POISON_AMOUNT },
    };
    batch[10] = poison;
    await world.send(batch);
    await world.waitForOracle();

    const dlq = await world.readTopic(deadLetterTopicOf(world.definition));
    const letter = dlq.find((d) => d.headers.ce_id === poison.id);
    expect(letter).toBeDefined();
    expect(letter?.headers[deadLetterHeaders.sourceTopic]).toBe(world.contracts.accounts.name);
    expect(letter?.headers[deadLetterHeaders.processor]).toBe(world.definition.name);
    expect(letter?.headers[deadLetterHeaders.errorCode]).toBe('HANDLER_FAILED');
    expect(letter?.headers[deadLetterHeaders.errorMessage]).toContain('poison');
    expect(letter?.headers[deadLetterHeaders.attempts]).toBe('3');
    expect(letter?.key).toBe(poison.data.accountId);
    expect(letter?.value).toEqual((await world.encode(poison)).value);
    // The poison event is not recorded as applied, so a redrive after a fix applies it.
    const recorded = await world.db
      .selectFrom('processed_events' as never)
      .select('event_id' as never)
      .where('event_id' as never, '=', poison.id as never)
      .execute();
    expect(recorded).toHaveLength(0);
  });

  it('dead-letters records it cannot read and keeps running', async () => {
    const good = await world.encode(movements(1, 1)[0] as LedgerInput);
    const valid = good.value as Buffer;
    const headers = good.headers as Record<string, string>;
    const withId = (id: string) => ({ ...headers, ce_id: id });
    const unknownSchema = Buffer.concat([Buffer.from([0, 0x7f, 0xff, 0xff, 0x00]), valid.subarray(5)]);
    const invalidPayload = Buffer.concat([
      valid.subarray(0, 5),
      Buffer.from('{"accountId":"x","amount":"lots"}'),
    ]);
    const bad = [
      { key: 'k', value: Buffer.from('not the wire format'), headers: withId('bad-magic') },
      { key: 'k', value: unknownSchema, headers: withId('bad-schema-id') },
      { key: 'k', value: invalidPayload, headers: withId('bad-payload') },
      {
        key: 'k',
        value: Buffer.concat([valid.subarray(0, 5), Buffer.from('{oops')]),
        headers: withId('bad-json'),
      },
      { key: 'k', value: valid, headers: { ...headers, ce_id: '', ce_specversion: '0.3' } },
    ];
    await world.sendRaw(bad);
    const after = movements(20, 5);
    await world.send(after);
    await world.waitForOracle();

    const dlq = await world.readTopic(deadLetterTopicOf(world.definition));
    const reasons = Object.fromEntries(
      dlq
        .filter((d) => d.headers.ce_id !== undefined)
        .map((d) => [d.headers.ce_id, d.headers[deadLetterHeaders.errorCode]]),
    );
    expect(reasons['bad-magic']).toBe('BAD_MAGIC_BYTE');
    expect(reasons['bad-schema-id']).toBe('UNKNOWN_SCHEMA_ID');
    expect(reasons['bad-payload']).toBe('EVENT_INVALID');
    expect(reasons['bad-json']).toBe('UNDECODABLE');
    expect(reasons['']).toBe('ENVELOPE_INVALID');
  });

  it('reports the truth on /readyz and /metrics', async () => {
    const base = runtime?.internalAddress;
    expect(base).toBeDefined();
    const ready = await waitFor('ready', async () => {
      const res = await fetch(`${base}/readyz`);
      return res.status === 200 ? ((await res.json()) as { status: string }) : undefined;
    });
    expect(ready.status).toBe('ready');
    const metrics = await waitFor('lag 0 in metrics', async () => {
      const text = await (await fetch(`${base}/metrics`)).text();
      return /fleet_consumer_lag\{[^}]*\} 0/.test(text) && !/fleet_consumer_lag\{[^}]*\} [1-9]/.test(text)
        ? text
        : undefined;
    });
    // This runtime instance consumed everything again after the reset: 600 + 40 + 20 sent, 60 repeated.
    const value = (name: string, label = '') =>
      [...metrics.matchAll(new RegExp(`^${name}\\{[^}]*${label}[^}]*\\} (\\d+)`, 'gm'))].reduce(
        (s, m) => s + Number(m[1]),
        0,
      );
    expect(value('fleet_events_dead_lettered_total', 'reason="HANDLER_FAILED"')).toBe(1);
    expect(value('fleet_events_dead_lettered_total')).toBe(6);
    expect(value('fleet_events_processed_total')).toBe(39 + 20);
    expect(value('fleet_events_duplicate_total')).toBe(600 + 60);
    expect(metrics).toContain('fleet_batch_duration_seconds_bucket');
    expect(metrics).toContain('fleet_outbox_backlog');
    // The instance's own memory and CPU, under the names Prometheus' process collectors use.
    expect(metrics).toMatch(/^process_resident_memory_bytes\{[^}]*\} [1-9]\d{6,}/m);
    expect(metrics).toMatch(/^process_cpu_seconds_total\{[^}]*\} \d/m);
    // Downstream consumers find the service's topics and event schemas on the same server.
    const asyncApi = await (await fetch(`${base}/asyncapi.yaml`)).text();
    expect(asyncApi).toContain('asyncapi: 3.0.0');
    expect(asyncApi).toContain(world.contracts.notices.name);
  });
});
