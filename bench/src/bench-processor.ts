import type { EventType } from '@fleet/contracts';
import { defineProcessor } from '@fleet/processor';
import type { Kysely } from 'kysely';
import type { BenchContracts, MeterRead } from './bench-contracts.ts';
import { isMilestone } from './meter-reading.ts';
import { createMeterTotals, foldReadings, type MeterTotalsDb, upsertMeterTotals } from './meter-totals.ts';

/**
 * Scenario D: a processor as a service would write it. One batch handler per run of MeterRead:
 * readings folded per meter into one multi-row upsert, and a MeterMilestone follow-on for one in ten.
 * `observe` lets the measuring process see each run of events as it reaches the handler (to start
 * its clock, or to stamp when events got there).
 */
export function benchProcessor(contracts: BenchContracts, observe: (events: MeterRead[]) => void = () => {}) {
  const { MeterRead, MeterMilestone } = contracts;
  return defineProcessor<MeterTotalsDb>()({
    name: 'bench',
    publishes: [MeterMilestone as EventType],
    routes: ({ onBatch }) => [
      onBatch(MeterRead, async (events, ctx) => {
        observe(events.map((e) => e.data));
        await upsertMeterTotals(
          ctx.db as unknown as Kysely<unknown>,
          foldReadings(events.map((e) => e.data)),
        );
        for (const event of events)
          if (isMilestone(event.data as MeterRead)) {
            const { meterId, seq, reading } = event.data;
            await ctx.publish(MeterMilestone, { meterId, seq, reading }, { cause: event });
          }
      }),
    ],
    migrations: {
      '001_meter_totals': { up: (db) => createMeterTotals(db) },
    },
  });
}
