import type { EventType } from '@fleet/contracts';
import { describe, expect, it, vi } from 'vitest';
import { ParcelBurned, type ParcelDb, ParcelLost, ParcelSent, ParcelWeighed } from '../test/parcel-events.ts';
import { defineProcessor, type ProcessorDefinition } from './define-processor.ts';
import { ProcessorError } from './errors.ts';
import type { EventMeta, ProcessedEvent } from './event-meta.ts';
import { PermanentError } from './failure-kind.ts';
import { causedBy, type ScheduleContext } from './handler-context.ts';
import type { BatchInvocation, EventInvocation, Route, RouteBuilders } from './route.ts';

type Builders = RouteBuilders<ParcelDb, EventType>;

const meta = (id: string) => ({ id, correlationId: `corr-${id}` }) as EventMeta;
const sent = (id: string): ProcessedEvent<unknown> => ({
  data: { parcelId: id, grams: 5 },
  meta: meta(id),
});
const base = { db: {} as never, log: {} as never, meter: {} as never, isReplay: false };

/** What the runtime hands a route, recording what its publish() was asked. */
function invocations() {
  const each = vi.fn(async (..._args: unknown[]) => 'id-each');
  const batch = vi.fn(async (..._args: unknown[]) => 'id-batch');
  return {
    each,
    batch,
    event: { ...base, meta: meta('e-1'), publish: each } as EventInvocation<ParcelDb>,
    run: { ...base, publish: batch } as BatchInvocation<ParcelDb>,
  };
}

const run = (route: Route<ParcelDb> | undefined, calls: ReturnType<typeof invocations>) =>
  route?.kind === 'each' ? route.handler(sent('e-1'), calls.event) : route?.handler([sent('e-1')], calls.run);

/** Defined as JavaScript might: types set aside, so that only the checks at run time are left. */
const defineUnchecked = (declaration: object) =>
  defineProcessor<ParcelDb>()(declaration as never) as ProcessorDefinition<ParcelDb>;

describe('defineProcessor: policies checked when the processor is defined', () => {
  const problemsOf = (declaration: object) => {
    try {
      defineUnchecked({ name: 'parcels', migrations: {}, routes: () => [], ...declaration });
    } catch (error) {
      expect(error).toBeInstanceOf(ProcessorError);
      expect((error as ProcessorError).code).toBe('PROCESSOR_DEFINITION_INVALID');
      return (error as Error).message.split('\n').slice(1);
    }
    return [];
  };

  it('accepts maxAttempts from 1 to 100', () => {
    for (const maxAttempts of [1, 5, 100])
      expect(
        problemsOf({ routes: ({ on }: Builders) => [on(ParcelSent, async () => {}, { maxAttempts })] }),
      ).toEqual([]);
  });

  it('lists every route whose maxAttempts is not a whole number from 1 to 100, and unknown options', () => {
    const problems = problemsOf({
      routes: ({ on, onBatch }: Builders) => [
        on(ParcelSent, async () => {}, { maxAttempts: 0 }),
        on(ParcelWeighed, async () => {}, { maxAttempts: 2.5 }),
        onBatch(ParcelLost, async () => {}, { maxAttempts: 101 }),
        onBatch(ParcelBurned, async () => {}, { maxAttempts: '3', maxAtempts: 3 } as never),
      ],
    });
    expect(problems).toEqual([
      `  - route ${ParcelSent.type}: maxAttempts must be an integer from 1 to 100, not 0`,
      `  - route ${ParcelWeighed.type}: maxAttempts must be an integer from 1 to 100, not 2.5`,
      `  - route ${ParcelLost.type}: maxAttempts must be an integer from 1 to 100, not 101`,
      `  - route ${ParcelBurned.type}: unknown option "maxAtempts" (known: maxAttempts, backoff, onExhausted)`,
      `  - route ${ParcelBurned.type}: maxAttempts must be an integer from 1 to 100, not "3"`,
    ]);
  });

  it('lists every route whose backoff or onExhausted an operator could not mean', () => {
    const problems = problemsOf({
      routes: ({ on, onBatch }: Builders) => [
        on(ParcelSent, async () => {}, { backoff: { initialMs: 500, maxMs: 100 } }),
        on(ParcelWeighed, async () => {}, { backoff: { initialMs: 0, maxMs: 400_000 }, onExhausted: 'stop' }),
        onBatch(ParcelLost, async () => {}, { onExhausted: 'skip' } as never),
        onBatch(ParcelBurned, async () => {}, {
          backoff: { initialMs: 100, maxMs: 1_000 },
          onExhausted: 'dead-letter',
        }),
      ],
    });
    expect(problems).toEqual([
      `  - route ${ParcelSent.type}: backoff must be { initialMs, maxMs }, integers from 1 to 300000 with initialMs <= maxMs, not {"initialMs":500,"maxMs":100}`,
      `  - route ${ParcelWeighed.type}: backoff must be { initialMs, maxMs }, integers from 1 to 300000 with initialMs <= maxMs, not {"initialMs":0,"maxMs":400000}`,
      `  - route ${ParcelLost.type}: onExhausted must be "dead-letter" or "stop", not "skip"`,
    ]);
  });

  it('lists everything else wrong at once: name, a route twice, schedules, publishes', () => {
    const problems = problemsOf({
      name: 'Parcels',
      publishes: [ParcelWeighed, { type: 'not-an-event' }],
      routes: ({ on }: Builders) => [on(ParcelSent, async () => {}), on(ParcelSent, async () => {}), {}],
      schedules: [
        { name: 'sweep', everyMs: 1_000, run: async () => {} },
        { name: 'sweep', everyMs: 0, run: async () => {} },
        { everyMs: 2 ** 31, run: 'soon' },
      ],
      lockAhead: 'stock',
    });
    expect(problems).toEqual([
      '  - name "Parcels" must be lower case letters, digits and _ (it names a schema)',
      `  - routes ${ParcelSent.type} twice; one handler per event type`,
      '  - routes[2] is not a route: declare it with on(Event, handler) or onBatch(Event, handler)',
      '  - publishes[1] is not an event type (defineEvent(…))',
      '  - schedule sweep is declared twice; names are unique',
      '  - schedule sweep: everyMs must be an integer from 1 to 2147483647, not 0',
      '  - schedules[2] has no name (it names its lock)',
      '  - schedules[2]: everyMs must be an integer from 1 to 2147483647, not 2147483648',
      '  - schedules[2]: run must be a function',
      '  - lockAhead must be a function (events, { db }) => Promise<void>',
    ]);
  });
});

describe('publish(): one shape in handlers, batch handlers and schedules', () => {
  it('a handler of one event publishes on behalf of that event', async () => {
    const calls = invocations();
    const parcels = defineProcessor<ParcelDb>()({
      name: 'parcels',
      publishes: [ParcelWeighed],
      routes: ({ on }) => [
        on(ParcelSent, async (event, ctx) => {
          expect(Object.keys(ctx).sort()).toEqual(['db', 'isReplay', 'log', 'meter', 'publish']);
          await ctx.publish(ParcelWeighed, { parcelId: event.data.parcelId, heavy: false }, { key: 'k' });
        }),
      ],
      migrations: {},
    });
    await run(parcels.routes[0], calls);
    expect(calls.each).toHaveBeenCalledWith(ParcelWeighed, { parcelId: 'e-1', heavy: false }, { key: 'k' });
  });

  it("a batch handler's publish names its cause in the options; the runtime gets it first", async () => {
    const calls = invocations();
    const parcels = defineProcessor<ParcelDb>()({
      name: 'parcels',
      publishes: [ParcelWeighed],
      routes: ({ onBatch }) => [
        onBatch(ParcelSent, async ([event], ctx) => {
          if (!event) return;
          const data = { parcelId: event.data.parcelId, heavy: true };
          await ctx.publish(ParcelWeighed, data, { cause: event, subject: 's' });
          // Code written for one event, handed a cause: what it publishes descends from that event.
          await causedBy(ctx, event).publish(ParcelWeighed, data);
        }),
      ],
      migrations: {},
    });
    await run(parcels.routes[0], calls);
    expect(calls.batch.mock.calls).toEqual([
      [sent('e-1'), ParcelWeighed, { parcelId: 'e-1', heavy: true }, { subject: 's' }],
      [sent('e-1'), ParcelWeighed, { parcelId: 'e-1', heavy: true }, {}],
    ]);
  });

  it('refuses, at run time too, what the compiler refuses: a batch publish without a cause, a cause in a handler of one event', async () => {
    const calls = invocations();
    const untyped = (publish: unknown) => publish as (...args: unknown[]) => Promise<string>;
    const parcels = defineProcessor<ParcelDb>()({
      name: 'parcels',
      publishes: [ParcelWeighed],
      routes: ({ on, onBatch }) => [
        on(ParcelSent, (_e, ctx) =>
          untyped(ctx.publish)(ParcelWeighed, {}, { cause: sent('x') }).then(() => {}),
        ),
        onBatch(ParcelLost, (_e, ctx) => untyped(ctx.publish)(ParcelWeighed, {}).then(() => {})),
      ],
      migrations: {},
    });
    const withCause = run(parcels.routes[0], calls);
    await expect(withCause).rejects.toThrow(/given a cause in a handler of one event/);
    await expect(withCause).rejects.toBeInstanceOf(PermanentError);
    const withoutCause = run(parcels.routes[1], calls);
    await expect(withoutCause).rejects.toThrow(/in a batch handler needs options.cause/);
    await expect(withoutCause).rejects.toBeInstanceOf(PermanentError);
    expect(calls.each).not.toHaveBeenCalled();
    expect(calls.batch).not.toHaveBeenCalled();
  });
});

describe('publishing an event type the declaration does not list (JavaScript, casts)', () => {
  const burned = ParcelBurned as unknown as EventType<never>;
  const parcels = defineProcessor<ParcelDb>()({
    name: 'parcels',
    publishes: [ParcelWeighed],
    routes: ({ on, onBatch }) => [
      on(ParcelSent, async (_e, ctx) => void (await ctx.publish(burned as never, {} as never))),
      onBatch(ParcelLost, async ([event], ctx) => {
        if (event) await ctx.publish(burned as never, {} as never, { cause: event });
      }),
    ],
    schedules: [
      {
        name: 'sweep',
        everyMs: 1_000,
        run: async (ctx) => void (await ctx.publish(burned as never, {} as never, { cause: { id: 'd' } })),
      },
    ],
    migrations: {},
  });
  const refusal = new RegExp(
    `processor parcels published ${ParcelBurned.type}, which its declaration's publishes does not list \\(${ParcelWeighed.type}\\): add it there`,
  );

  it('is a permanent failure naming the event type and what is declared, in every kind of handler', async () => {
    const calls = invocations();
    for (const route of parcels.routes) {
      const failure = run(route, calls);
      await expect(failure).rejects.toBeInstanceOf(PermanentError);
      await expect(failure).rejects.toThrow(refusal);
    }
    const schedule = vi.fn(async (..._args: unknown[]) => 'id');
    const ctx = { ...base, publish: schedule } as unknown as ScheduleContext<ParcelDb, EventType>;
    await expect(parcels.schedules?.[0]?.run(ctx)).rejects.toThrow(refusal);
    expect([calls.each, calls.batch, schedule].map((f) => f.mock.calls.length)).toEqual([0, 0, 0]);
  });
});
