// What the compiler accepts from a processor's author. Checked by `tsc` (the package's typecheck
// includes its tests): each `@ts-expect-error` fails the typecheck as soon as the line it marks
// compiles, i.e. when a constraint below is lost. The handlers are declared, never run.
import type { EventData } from '@fleet/contracts';
import type { Transaction } from 'kysely';
import { describe, expectTypeOf, it } from 'vitest';
import { ParcelBurned, type ParcelDb, ParcelLost, ParcelSent, ParcelWeighed } from '../test/parcel-events.ts';
import { defineProcessor } from './define-processor.ts';
import type { Decision, HandlerContext } from './handler-context.ts';
import type {
  BatchHandlerFor,
  ContextFor,
  EventHandlerFor,
  ProcessorTypes,
  ScheduleFor,
} from './processor-types.ts';

/** What handlers written in files of their own see: the database and the two declared events. */
type Parcels = ProcessorTypes<ParcelDb, typeof ParcelWeighed | typeof ParcelLost>;

const weigh: EventHandlerFor<Parcels, typeof ParcelSent> = async (event, ctx) => {
  await ctx.publish(ParcelWeighed, { parcelId: event.data.parcelId, heavy: event.data.grams > 1000 });
  // @ts-expect-error ParcelBurned is not among the processor's published event types
  await ctx.publish(ParcelBurned, { parcelId: event.data.parcelId, ashes: 1 });
  // @ts-expect-error the data must be ParcelLost's payload
  await ctx.publish(ParcelLost, { parcelId: event.data.parcelId, heavy: true });
  // @ts-expect-error a handler of one event publishes on behalf of that event: no other cause
  await ctx.publish(ParcelLost, { parcelId: 'p', lostAt: 'now' }, { cause: { id: 'other' } });
};

const weighAll: BatchHandlerFor<Parcels, typeof ParcelSent> = async (events, ctx) => {
  for (const event of events) {
    await ctx.publish(ParcelLost, { parcelId: event.data.parcelId, lostAt: 'now' }, { cause: event });
    // @ts-expect-error a batch handler names the event each follow-on descends from
    await ctx.publish(ParcelLost, { parcelId: event.data.parcelId, lostAt: 'now' });
    // @ts-expect-error ParcelBurned is not declared, in a batch neither
    await ctx.publish(ParcelBurned, { parcelId: event.data.parcelId, ashes: 1 }, { cause: event });
  }
};

const sweep: ScheduleFor<Parcels> = {
  name: 'sweep',
  everyMs: 60_000,
  run: async (ctx) => {
    await ctx.publish(ParcelLost, { parcelId: 'p', lostAt: 'now' }, { cause: { id: 'sweep:p' } });
    // @ts-expect-error a schedule names the decision each follow-on descends from
    await ctx.publish(ParcelLost, { parcelId: 'p', lostAt: 'now' });
    // @ts-expect-error ParcelBurned is not declared, in a schedule neither
    await ctx.publish(ParcelBurned, { parcelId: 'p', ashes: 1 }, { cause: { id: 'sweep:p' } });
  },
};

/** Code shared by handlers takes their context by the processor's types. */
const shared = async (ctx: ContextFor<Parcels>, parcelId: string) =>
  ctx.publish(ParcelLost, { parcelId, lostAt: 'now' });

describe('the author API, as the compiler sees it', () => {
  it('publishes flows into publish(): inline handlers may publish the declared event types only', () => {
    const parcels = defineProcessor<ParcelDb>()({
      name: 'parcels',
      publishes: [ParcelWeighed, ParcelLost],
      routes: ({ on, onBatch }) => [
        on(ParcelSent, async (event, ctx) => {
          expectTypeOf(event.data).toEqualTypeOf<EventData<typeof ParcelSent>>();
          expectTypeOf(ctx.db).toEqualTypeOf<Transaction<ParcelDb>>();
          await ctx.publish(ParcelWeighed, { parcelId: event.data.parcelId, heavy: false });
          // @ts-expect-error not in publishes
          await ctx.publish(ParcelBurned, { parcelId: event.data.parcelId, ashes: 1 });
        }),
        onBatch(ParcelLost, async (events, ctx) => {
          const [first] = events;
          if (first) await ctx.publish(ParcelWeighed, { parcelId: 'p', heavy: true }, { cause: first });
          // @ts-expect-error not in publishes
          if (first) await ctx.publish(ParcelBurned, { parcelId: 'p', ashes: 1 }, { cause: first });
        }),
      ],
      schedules: [
        {
          name: 'inline',
          everyMs: 1_000,
          run: async (ctx) => {
            expectTypeOf(ctx.publish).parameter(2).toExtend<{ cause: Decision }>();
            // @ts-expect-error not in publishes
            await ctx.publish(ParcelBurned, { parcelId: 'p', ashes: 1 }, { cause: { id: 'd' } });
          },
        },
      ],
      migrations: {},
    });
    expectTypeOf(parcels).toExtend<ProcessorTypes<ParcelDb, typeof ParcelWeighed | typeof ParcelLost>>();
  });

  it('a processor that declares no publishes can publish nothing', () => {
    defineProcessor<ParcelDb>()({
      name: 'silent',
      routes: ({ on }) => [
        on(ParcelSent, async (event, ctx) => {
          // @ts-expect-error publishes is empty
          await ctx.publish(ParcelWeighed, { parcelId: event.data.parcelId, heavy: false });
        }),
      ],
      migrations: {},
    });
  });

  it('handlers written elsewhere fit a processor that publishes all they may publish, and no other', () => {
    defineProcessor<ParcelDb>()({
      name: 'parcels',
      publishes: [ParcelWeighed, ParcelLost],
      routes: ({ on, onBatch }) => [on(ParcelSent, weigh), onBatch(ParcelLost, async () => {})],
      schedules: [sweep],
      migrations: {},
    });
    defineProcessor<ParcelDb>()({
      name: 'fewer',
      publishes: [ParcelWeighed],
      // @ts-expect-error weigh may publish ParcelLost, which this processor does not declare
      routes: ({ on }) => [on(ParcelSent, weigh)],
      // @ts-expect-error so may the schedule
      schedules: [sweep],
      migrations: {},
    });
    defineProcessor<ParcelDb>()({
      name: 'batches',
      publishes: [ParcelWeighed, ParcelLost],
      // @ts-expect-error a batch handler is no handler of one event
      routes: ({ on }) => [on(ParcelSent, weighAll)],
      migrations: {},
    });
    defineProcessor<{ other: { id: string } }>()({
      name: 'other_db',
      publishes: [ParcelWeighed, ParcelLost],
      // @ts-expect-error weigh writes ParcelDb
      routes: ({ on }) => [on(ParcelSent, weigh)],
      migrations: {},
    });
  });

  it('a context that may publish more fits code that needs less, never the reverse', () => {
    expectTypeOf<ContextFor<Parcels>>().toExtend<HandlerContext<ParcelDb, typeof ParcelLost>>();
    expectTypeOf<HandlerContext<ParcelDb, typeof ParcelLost>>().not.toExtend<ContextFor<Parcels>>();
    expectTypeOf(shared).parameter(0).toEqualTypeOf<ContextFor<Parcels>>();
  });
});
