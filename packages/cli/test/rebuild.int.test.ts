import { fileURLToPath } from 'node:url';
import type { ProcessorRuntime } from '@fleet/processor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POISON_AMOUNT } from '../../processor/test/ledger.ts';
import { type LedgerWorld, ledgerWorld, movements } from '../../processor/test/ledger-harness.ts';
import { fleet } from './cli-harness.ts';

const definition = fileURLToPath(new URL('./ledger-from-env.ts', import.meta.url));

describe('fleet rebuild', () => {
  let world: LedgerWorld;
  let live: ProcessorRuntime<unknown>;
  const name = 'cli_rebuild';

  beforeAll(async () => {
    world = await ledgerWorld(name);
    process.env.LEDGER_ACCOUNTS_TOPIC = world.contracts.accounts.name;
    process.env.LEDGER_NOTICES_TOPIC = world.contracts.notices.name;
    process.env.LEDGER_NAME = name;
    live = (await world.start()) as ProcessorRuntime<unknown>;
    await world.send(movements(3_000, 100));
    // Two the handler refuses: the live version dead-letters them, the rebuild meets them again.
    await world.send(
      [1, 2].map((seq) => ({
        id: `poison-${seq}`,
        type: 'Deposited' as const,
        data: { accountId: 'acct-poison', amount: POISON_AMOUNT, seq },
      })),
    );
    await world.waitForOracle();
  });
  afterAll(async () => {
    await live.stop();
    await world.close();
  });

  const run = (...args: string[]) =>
    fleet(['rebuild', name, '--definition', definition, ...args], { databaseUrl: world.database.url });

  it('rebuilds and switches, refuses another rebuild until finalized, then finalizes', async () => {
    const rebuilt = await run('--json');
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    expect(rebuilt.json<{ events: number; keptAs: string }>()).toMatchObject({
      events: 3_002,
      keptAs: `${name}__previous`,
      // Not sent to the dead-letter topic a second time, and said so.
      alreadyDeadLettered: 2,
    });
    await world.waitForOracle();

    const again = await run();
    expect(again.code).toBe(3);
    expect(again.stderr).toContain('--finalize');

    const finalized = await run('--finalize');
    expect(finalized.code, finalized.stderr).toBe(0);
    expect(finalized.stdout).toContain('finalized');
  });

  it('names an unknown processor as a usage error', async () => {
    const unknown = await fleet(['rebuild', 'no_such_processor'], { databaseUrl: world.database.url });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no package of the workspace declares processor no_such_processor');
    expect(unknown.stderr).toContain(
      'declared: inventory, order_lifecycle, order_view, payments, sales_analytics',
    );
  });
});
