import { waitFor } from '@fleet/testkit';
import { type SpanContext, SpanKind, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withReplayTracing } from '../src/event-span.ts';
import type { ProcessorRuntime } from '../src/index.ts';
import { inMemoryTracing } from './in-memory-tracing.ts';
import { type LedgerInput, type LedgerWorld, ledgerWorld } from './ledger-harness.ts';

// One processor hop and the outbox relay, with an in-memory span exporter: the record's traceparent
// → the event's `process` span → the follow-on's outbox row → the relay's `send` span → the published
// record's traceparent. Batches get a span with links plus each event's own span; a replay links.
describe('trace propagation through a processor and its outbox', () => {
  const tracing = inMemoryTracing();
  const tracer = trace.getTracer('upstream');
  let world: LedgerWorld;
  let runtime: ProcessorRuntime<unknown> | undefined;

  beforeAll(async () => {
    world = await ledgerWorld('ledger_tracing');
  });
  afterAll(async () => {
    await runtime?.stop();
    await world.close();
    await tracing.shutdown();
  });

  /** Sends `inputs` as one upstream span each would: the record carries that span's context. */
  const sendTraced = async (inputs: LedgerInput[]) => {
    const upstream = new Map<string, SpanContext>();
    const messages = await Promise.all(
      inputs.map(async (input) => {
        const span = tracer.startSpan(`send ${input.id}`, { kind: SpanKind.PRODUCER });
        span.end();
        upstream.set(input.id, span.spanContext());
        const message = await world.encode(input);
        return {
          ...message,
          headers: { ...message.headers, traceparent: tracing.traceparentOf(span.spanContext()) },
        };
      }),
    );
    await world.sendRaw(messages);
    world.sent.push(...inputs);
    return (id: string) => upstream.get(id) as SpanContext;
  };
  const spansNamed = (name: string) => tracing.spans().filter((s) => s.name === name);
  const attribute = (s: ReadableSpan, name: string) => s.attributes[name];

  it('parents each event on its record, each published follow-on on the relay, the relay on the event', async () => {
    const { Deposited, Withdrawn, BalanceChanged, notices } = world.contracts;
    // seq 0 announces the balance (a follow-on through the outbox); Withdrawn goes to a batch handler.
    const deposit: LedgerInput = {
      id: 'trace-dep-1',
      type: 'Deposited',
      data: { accountId: 'acct-t', amount: 5, seq: 0 },
    };
    const withdrawals: LedgerInput[] = [1, 2].map((seq) => ({
      id: `trace-wd-${seq}`,
      type: 'Withdrawn',
      data: { accountId: 'acct-t', amount: 1, seq },
    }));
    const upstreamOf = await sendTraced([deposit, ...withdrawals]);
    const started = performance.now();
    runtime = (await world.start({ HTTP_PORT: '0' })) as ProcessorRuntime<unknown>;
    await world.waitForOracle();
    const [notice] = await world.readTopic(notices.name);
    console.log(`tracing: one hop and its outbox relay in ${Math.round(performance.now() - started)} ms`);

    // The event's span is a child of the span that sent its record, in the same trace.
    const processed = spansNamed(`process ${Deposited.type}`).find(
      (s) => attribute(s, 'messaging.message.id') === deposit.id,
    ) as ReadableSpan;
    expect(processed).toBeDefined();
    expect(processed.kind).toBe(SpanKind.CONSUMER);
    expect(processed.spanContext().traceId).toBe(upstreamOf(deposit.id).traceId);
    expect(processed.parentSpanContext?.spanId).toBe(upstreamOf(deposit.id).spanId);

    // The relay's send span is a child of the event's span; the published record carries the send span.
    const noticeId = notice?.headers.ce_id;
    const send = spansNamed(`send ${notices.name}`).find(
      (s) => attribute(s, 'messaging.message.id') === noticeId,
    ) as ReadableSpan;
    expect(send).toBeDefined();
    expect(send.kind).toBe(SpanKind.PRODUCER);
    expect(attribute(send, 'cloudevents.event_type')).toBe(BalanceChanged.type);
    expect(send.parentSpanContext?.spanId).toBe(processed.spanContext().spanId);
    expect(send.spanContext().traceId).toBe(processed.spanContext().traceId);
    expect(notice?.headers.traceparent).toBe(tracing.traceparentOf(send.spanContext()));

    // The batch handler: one span linked to each record's sender, and each event's own span in its trace.
    const batches = tracing
      .spans()
      .filter((s) => s.name.startsWith(`process ${Withdrawn.type} ×`) && s.links.length > 0);
    const linked = batches.flatMap((b) => b.links.map((l) => l.context.spanId));
    for (const w of withdrawals) {
      expect(linked).toContain(upstreamOf(w.id).spanId);
      const own = spansNamed(`process ${Withdrawn.type}`).find(
        (s) => attribute(s, 'messaging.message.id') === w.id,
      ) as ReadableSpan;
      expect(own.parentSpanContext?.spanId).toBe(upstreamOf(w.id).spanId);
      expect(own.spanContext().traceId).toBe(upstreamOf(w.id).traceId);
      const batch = batches.find((b) => b.spanContext().spanId === attribute(own, 'fleet.batch.span_id'));
      expect(batch, 'the event span names its batch span').toBeDefined();
      expect(own.links.map((l) => l.context.spanId)).toEqual([batch?.spanContext().spanId]);
    }
    // No span of this hop is an orphan: every parent is a span of the test or of the hop.
    const known = new Set(tracing.spans().map((s) => s.spanContext().spanId));
    for (const s of tracing.spans())
      if (s.parentSpanContext) expect(known, `${s.name} has a parent`).toContain(s.parentSpanContext.spanId);
  });

  it('a replay starts traces of its own, linked to the records’ senders, not parented into them', async () => {
    await runtime?.stop();
    runtime = undefined;
    const before = new Set(tracing.spans().map((s) => s.spanContext().spanId));
    const replay = (await withReplayTracing(() =>
      world.start({
        HTTP_PORT: '0',
        PROCESSOR_REPLAY: 'true',
        PROCESSOR_GROUP_ID: `${world.definition.name}_replay`,
        PROCESSOR_DB_SCHEMA: 'ledger_tracing_replay',
      }),
    )) as ProcessorRuntime<unknown>;
    try {
      const replayed = () =>
        tracing
          .spans()
          .filter((s) => !before.has(s.spanContext().spanId))
          .find((s) => attribute(s, 'messaging.message.id') === 'trace-dep-1');
      await waitFor('the replayed event span', async () => replayed() ?? undefined, { timeoutMs: 60_000 });
      const span = replayed() as ReadableSpan;
      const original = spansNamed(`process ${world.contracts.Deposited.type}`).find(
        (s) => before.has(s.spanContext().spanId) && attribute(s, 'messaging.message.id') === 'trace-dep-1',
      ) as ReadableSpan;
      expect(span.parentSpanContext).toBeUndefined();
      expect(attribute(span, 'fleet.replay')).toBe(true);
      expect(span.spanContext().traceId).not.toBe(original.spanContext().traceId);
      expect(span.links.map((l) => l.context.spanId)).toEqual([original.parentSpanContext?.spanId]);
    } finally {
      await replay.stop();
    }
  });
});
