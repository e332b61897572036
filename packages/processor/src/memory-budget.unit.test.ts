import { describe, expect, it } from 'vitest';
import { MIN_OLD_SPACE_MB, memoryBudget, minimumBudgetMb } from './memory-budget.ts';

const MB = 1024 * 1024;

describe('memoryBudget', () => {
  it('splits one RSS budget into heap limits and fetch sizes that fit in it', () => {
    for (const budget of [minimumBudgetMb(), 200, 256, 384, 512, 1024]) {
      const b = memoryBudget(budget);
      const spent = 80 + 3 * b.maxSemiSpaceMb + b.maxOldSpaceMb + (2 * b.fetchMaxBytes) / MB;
      expect(spent, `budget ${budget}`).toBeLessThanOrEqual(budget * 0.9 + 1);
      expect(b.maxOldSpaceMb).toBeGreaterThanOrEqual(MIN_OLD_SPACE_MB);
      expect(b.fetchMaxBytesPerPartition).toBeLessThanOrEqual(b.fetchMaxBytes);
      expect(b.nodeFlags).toEqual([
        `--max-old-space-size=${b.maxOldSpaceMb}`,
        `--max-semi-space-size=${b.maxSemiSpaceMb}`,
      ]);
      expect(b.env).toEqual({
        PROCESSOR_FETCH_MAX_BYTES: String(b.fetchMaxBytes),
        PROCESSOR_FETCH_MAX_BYTES_PER_PARTITION: String(b.fetchMaxBytesPerPartition),
      });
    }
  });

  it('grows every share with the budget and stops at the kafkajs defaults', () => {
    const small = memoryBudget(200);
    const large = memoryBudget(512);
    expect(large.maxOldSpaceMb).toBeGreaterThan(small.maxOldSpaceMb);
    expect(large.fetchMaxBytes).toBeGreaterThan(small.fetchMaxBytes);
    expect(memoryBudget(4096)).toMatchObject({
      fetchMaxBytes: 10 * MB,
      fetchMaxBytesPerPartition: 1 * MB,
      maxSemiSpaceMb: 16,
    });
    expect(memoryBudget(200)).toMatchObject({ maxOldSpaceMb: 83, maxSemiSpaceMb: 4 });
  });

  it('refuses a budget that cannot hold the floor, naming the minimum', () => {
    expect(minimumBudgetMb()).toBe(148);
    expect(memoryBudget(148)).toMatchObject({ maxOldSpaceMb: MIN_OLD_SPACE_MB, maxSemiSpaceMb: 1 });
    expect(() => memoryBudget(140)).toThrow(/at least 148 MB/);
    expect(() => memoryBudget(Number.NaN)).toThrow(RangeError);
    // A smaller floor (e.g. compiled JavaScript, no type stripping) admits a smaller budget.
    expect(memoryBudget(130, { nativeFloorMb: 60 }).maxOldSpaceMb).toBeGreaterThanOrEqual(MIN_OLD_SPACE_MB);
  });

  it('spreads the fetch over the partitions an instance holds', () => {
    const b = memoryBudget(256, { partitions: 12 });
    expect(b.fetchMaxBytesPerPartition).toBe(Math.round(b.fetchMaxBytes / 12));
    expect(memoryBudget(4096, { partitions: 1 }).fetchMaxBytesPerPartition).toBe(1 * MB);
  });

  it('takes a semi-space as given and leaves the rest to the old space, refusing one that leaves too little', () => {
    const derived = memoryBudget(230);
    const larger = memoryBudget(230, { semiSpaceMb: 10 });
    expect(larger.maxSemiSpaceMb).toBe(10);
    expect(larger.fetchMaxBytes).toBe(derived.fetchMaxBytes);
    expect(larger.maxOldSpaceMb).toBe(derived.maxOldSpaceMb - 3 * (10 - derived.maxSemiSpaceMb));
    expect(larger.nodeFlags).toContain('--max-semi-space-size=10');
    expect(() => memoryBudget(160, { semiSpaceMb: 16 })).toThrow(/old space .* at least 48 MB/);
  });
});
