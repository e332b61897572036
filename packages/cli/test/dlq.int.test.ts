import {
  type DeadLetterSummary,
  deadLetterHeaders,
  fetchGroupLag,
  ProcessorRuntime,
  redrivenFromHeader,
} from '@fleet/processor';
import { uniqueName, waitFor } from '@fleet/testkit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POISON_AMOUNT } from '../../processor/test/ledger.ts';
import {
  type LedgerInput,
  type LedgerWorld,
  ledgerWorld,
  movements,
} from '../../processor/test/ledger-harness.ts';
import { ExitCode } from '../src/exit-codes.ts';
import { fleet } from './cli-harness.ts';
import { fixedLedger } from './fixed-ledger.ts';

describe('fleet dlq: list, show, redrive after a fix (applied once), purge', () => {
  let world: LedgerWorld;
  let runtime: ProcessorRuntime<unknown> | undefined;
  const name = uniqueName('cli_dlq');
  const run = (...argv: string[]) => fleet(argv, { databaseUrl: world.database.url });
  let poison: LedgerInput;
  let letter: DeadLetterSummary;

  const poisonApplied = async () => {
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from ${sql.id(name, 'history')} where amount = ${POISON_AMOUNT}`.execute(
      world.db,
    );
    return rows[0]?.n ?? 0;
  };
  const caughtUp = async () => {
    const lags = await fetchGroupLag(world.admin, name, [world.contracts.accounts.name]);
    return lags.every((l) => l.lag === 0) ? true : undefined;
  };

  beforeAll(async () => {
    world = await ledgerWorld(name);
    runtime = (await world.start()) as ProcessorRuntime<unknown>;
    const input = movements(30, 3);
    const original = input[11] as LedgerInput;
    poison = { ...original, type: 'Deposited', data: { ...original.data, amount: POISON_AMOUNT } };
    input[11] = poison;
    await world.send(input);
    // An undecodable record too, so that --error-code has something to leave out.
    await world.sendRaw([
      { key: 'k', value: Buffer.from('not the wire format'), headers: { ce_id: 'bad-magic' } },
    ]);
    await world.waitForOracle();
    await waitFor('two dead letters', async () => {
      const offsets = await world.admin.fetchTopicOffsets(`${name}.dlq`);
      return offsets.reduce((s, o) => s + Number(o.high), 0) === 2 ? true : undefined;
    });
  });
  afterAll(async () => {
    await runtime?.stop();
    await world.close();
  });

  it('lists the poison event with its error code, and filters by error code', async () => {
    const all = await run('dlq', 'list', '--processor', name, '--json');
    expect(all.code).toBe(ExitCode.ok);
    expect(all.json<{ total: number }>().total).toBe(2);
    const handlerFailed = await run(
      'dlq',
      'list',
      '--processor',
      name,
      '--error-code',
      'HANDLER_FAILED',
      '--json',
    );
    const letters = handlerFailed.json<{ deadLetters: DeadLetterSummary[] }>().deadLetters;
    expect(letters).toHaveLength(1);
    letter = letters[0] as DeadLetterSummary;
    expect(letter).toMatchObject({
      eventId: poison.id,
      eventType: world.contracts.Deposited.type,
      errorCode: 'HANDLER_FAILED',
      source: { topic: world.contracts.accounts.name },
    });
    expect(letter.errorMessage).toContain('poison');

    const table = await run('dlq', 'list');
    expect(table.code).toBe(ExitCode.ok);
    expect(table.stdout).toContain(poison.id);
    expect(table.stdout).toContain('HANDLER_FAILED');
    expect(table.stdout).toContain(`${letter.partition}:${letter.offset}`);
    console.log(table.stdout);
  });

  it('shows every header and the value of one dead letter', async () => {
    const shown = await run('dlq', 'show', name, `${letter.partition}:${letter.offset}`);
    expect(shown.code).toBe(ExitCode.ok);
    for (const header of ['ce_id', deadLetterHeaders.errorCode, deadLetterHeaders.sourceOffset])
      expect(shown.stdout).toContain(header);
    expect(shown.stdout).toContain(`"amount":${POISON_AMOUNT}`);
    expect(shown.stdout).toMatch(/^0{8} {2}00 /m); // hex dump, wire format's magic byte first
    console.log(shown.stdout);
    const missing = await run('dlq', 'show', name, `${letter.partition}:999`);
    expect(missing.code).toBe(ExitCode.usage);
    expect(missing.stderr).toContain('no dead letter at');
  });

  it('redrives after a fix: the event is applied once, and once again after a second redrive', async () => {
    expect(await poisonApplied()).toBe(0);
    await runtime?.stop();
    runtime = (await ProcessorRuntime.start(fixedLedger(world.contracts, world.definition), {
      config: world.config(),
    })) as ProcessorRuntime<unknown>;

    const first = await run('dlq', 'redrive', name, '--offsets', `${letter.partition}:${letter.offset}`);
    expect(first.code).toBe(ExitCode.ok);
    expect(first.stdout).toContain('redrove 1 dead letter(s)');
    await waitFor('the redriven event to be applied', async () =>
      (await poisonApplied()) === 1 ? true : undefined,
    );

    const second = await run('dlq', 'redrive', name, '--all', '--error-code', 'HANDLER_FAILED', '--json');
    expect(second.code).toBe(ExitCode.ok);
    expect(second.json()).toMatchObject({ count: 1 });
    await waitFor('the second redrive consumed', caughtUp);
    expect(await poisonApplied()).toBe(1);
    const balance = (await world.balances()).get(poison.data.accountId);
    expect(balance).toBeDefined();

    const source = await world.readTopic(world.contracts.accounts.name);
    const redriven = source.filter((r) => r.headers[redrivenFromHeader]);
    expect(redriven).toHaveLength(2);
    for (const r of redriven) {
      expect(r.headers.ce_id).toBe(poison.id);
      expect(r.key).toBe(poison.data.accountId);
      expect(Object.keys(r.headers).filter((h) => h.startsWith('dlq_'))).toEqual([]);
      expect(r.headers[redrivenFromHeader]).toBe(`${name}.dlq/${letter.partition}/${letter.offset}`);
    }
  });

  it('needs a selection to redrive', async () => {
    const result = await run('dlq', 'redrive', name);
    expect(result.code).toBe(ExitCode.usage);
    expect(result.stderr).toContain('--all, or --offsets');
  });

  it('purges only with --yes when there is no TTY', async () => {
    const refused = await run('dlq', 'purge', name);
    expect(refused.code).toBe(ExitCode.refused);
    expect(refused.stderr).toContain('pass --yes');
    expect((await run('dlq', 'list', '--processor', name, '--json')).json<{ total: number }>().total).toBe(2);

    const purged = await run('dlq', 'purge', name, '--yes');
    expect(purged.code).toBe(ExitCode.ok);
    expect(purged.stdout).toContain('purged 2 dead letter(s)');
    expect((await run('dlq', 'list', '--processor', name, '--json')).json<{ total: number }>().total).toBe(0);
    const status = await run('status', '--json');
    expect(status.json<{ processors: { dlqCount: number }[] }>().processors[0]?.dlqCount).toBe(0);
  });
});
