import type { ProcessorRuntime, ReplayResult } from '@fleet/processor';
import { uniqueName } from '@fleet/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LedgerWorld, ledgerWorld, movements } from '../../processor/test/ledger-harness.ts';
import { ExitCode } from '../src/exit-codes.ts';
import { fleet } from './cli-harness.ts';

describe('fleet replay: concrete offsets, and a refusal when retention removed what it needs', () => {
  let world: LedgerWorld;
  const name = uniqueName('cli_replay');
  const run = (...argv: string[]) => fleet(argv, { databaseUrl: world.database.url });
  let topic: string;
  let sentBefore: number;
  let ends: Map<number, number>;

  const committed = async () => {
    const [offsets] = await world.admin.fetchOffsets({ groupId: name, topics: [topic] });
    return Object.fromEntries(offsets?.partitions.map((p) => [p.partition, Number(p.offset)]) ?? []);
  };

  beforeAll(async () => {
    world = await ledgerWorld(name);
    topic = world.contracts.accounts.name;
    sentBefore = Date.now() - 1000;
    const runtime = (await world.start()) as ProcessorRuntime<unknown>;
    await world.send(movements(30, 6));
    await world.waitForOracle();
    await runtime.stop();
    ends = new Map((await world.admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
    // Retention "ran": partition 0 lost all but its last 2 records, partition 2 lost everything.
    await world.admin.deleteTopicRecords({
      topic,
      partitions: [
        { partition: 0, offset: String((ends.get(0) ?? 0) - 2) },
        { partition: 2, offset: String(ends.get(2) ?? 0) },
      ],
    });
  });
  afterAll(async () => {
    await world.close();
  });

  it('refuses --from earliest without --accept-partial and names each gap', async () => {
    const result = await run('replay', name, '--from', 'earliest');
    expect(result.code).toBe(ExitCode.refused);
    const low0 = (ends.get(0) ?? 0) - 2;
    expect(result.stderr).toContain(
      `${topic}/0: offsets 0..${low0 - 1} are gone; earliest available is offset ${low0} written 20`,
    );
    expect(result.stderr).toContain(`${topic}/2: offsets 0..${(ends.get(2) ?? 0) - 1} are gone`);
    expect(result.stderr).not.toContain(`${topic}/1:`);
    expect(result.stderr).toContain('--accept-partial');
    expect(await committed()).toEqual(Object.fromEntries(ends));
  });

  it('refuses a time before the first available record, the same way', async () => {
    const result = await run('replay', name, '--from', new Date(sentBefore).toISOString(), '--json');
    expect(result.code).toBe(ExitCode.refused);
    const { details } = result.json<{ details: ReplayResult }>();
    expect(
      details.partitions
        .filter((p) => p.missing)
        .map((p) => p.partition)
        .sort(),
    ).toEqual([0, 2]);
    expect(details.partitions.find((p) => p.partition === 0)?.firstAvailableAt).toMatch(/^20/);
  });

  it('goes on with --accept-partial: a dry run changes nothing, the real one sets concrete offsets', async () => {
    const dry = await run('replay', name, '--from', 'earliest', '--accept-partial', '--dry-run');
    expect(dry.code).toBe(ExitCode.ok);
    expect(dry.stdout).toContain('dry run');
    expect(await committed()).toEqual(Object.fromEntries(ends));

    const replay = await run('replay', name, '--from', 'earliest', '--accept-partial');
    expect(replay.code).toBe(ExitCode.ok);
    console.log(replay.stdout);
    expect(await committed()).toEqual({ 0: (ends.get(0) ?? 0) - 2, 1: 0, 2: ends.get(2) });
  });

  it('sets explicit offsets, leaving other partitions alone', async () => {
    const result = await run('replay', name, '--to-offsets', '1:3', '--json');
    expect(result.code).toBe(ExitCode.ok);
    const after = await committed();
    expect(after[1]).toBe(3);
    expect(after[0]).toBe((ends.get(0) ?? 0) - 2);
    const before = result.json<ReplayResult>().partitions;
    expect(before).toEqual([expect.objectContaining({ partition: 1, before: 0, after: 3 })]);

    const gap = await run('replay', name, '--to-offsets', '0:0');
    expect(gap.code).toBe(ExitCode.refused);
    expect(gap.stderr).toContain(`${topic}/0: offsets 0..`);
  });
});
