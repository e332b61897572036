import { type AuditEntry, AuditLog, type ProcessorRuntime } from '@fleet/processor';
import { uniqueName } from '@fleet/testkit';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POISON_AMOUNT } from '../../processor/test/ledger.ts';
import {
  type LedgerInput,
  type LedgerWorld,
  ledgerWorld,
  movements,
} from '../../processor/test/ledger-harness.ts';
import type { ProcessorStatus } from '../src/commands/status-command.ts';
import { ExitCode } from '../src/exit-codes.ts';
import { fleet } from './cli-harness.ts';

describe('fleet status, pause/resume and replay against two running instances', () => {
  let world: LedgerWorld;
  const runtimes: ProcessorRuntime<unknown>[] = [];
  const name = uniqueName('cli_ops');
  const run = (...argv: string[]) => fleet(argv, { databaseUrl: world.database.url });

  beforeAll(async () => {
    world = await ledgerWorld(name);
    // One instance serves /metrics (status reads its memory and CPU there), the other has no HTTP server.
    runtimes.push((await world.start({ HTTP_PORT: '0' })) as ProcessorRuntime<unknown>);
    runtimes.push((await world.start()) as ProcessorRuntime<unknown>);
    const input = movements(40, 4);
    const original = input[7] as LedgerInput;
    input[7] = { ...original, type: 'Deposited', data: { ...original.data, amount: POISON_AMOUNT } };
    await world.send(input);
    await world.waitForOracle();
  });
  afterAll(async () => {
    await Promise.all(runtimes.map((r) => r.stop()));
    await world.close();
  });

  it('shows the processor caught up (lag 0), its instances, its DLQ count and last error', async () => {
    let status: ProcessorStatus | undefined;
    for (let i = 0; i < 50; i++) {
      const result = await run('status', '--json');
      expect(result.code).toBe(ExitCode.ok);
      status = result.json<{ processors: ProcessorStatus[] }>().processors.find((p) => p.processor === name);
      if (status?.dlqCount === 1 && status.lastError && status.group.members.length === 2) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toMatchObject({
      groupId: name,
      schema: name,
      topics: [world.contracts.accounts.name],
      dlqTopic: `${name}.dlq`,
      dedupeWindowHours: 168,
      group: { state: 'Stable' },
      instances: { alive: 2, paused: 0 },
      lag: { total: 0 },
      dlqCount: 1,
      outbox: { count: 0 },
    });
    expect(status?.group.members).toHaveLength(2);
    expect(status?.lag.partitions).toHaveLength(3);
    expect(status?.ratePerSecond).toBeGreaterThan(0);
    expect(status?.lastError?.message).toContain('poison');
    const served = status?.instances.resources.find((r) => r.httpAddress);
    const headless = status?.instances.resources.find((r) => !r.httpAddress);
    expect(served?.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(served?.cpuPercent).toBeGreaterThanOrEqual(0);
    expect(headless).toMatchObject({ rssBytes: null, problem: 'no HTTP server' });

    const table = await run('status');
    expect(table.code).toBe(ExitCode.ok);
    expect(table.stdout).toContain(name);
    expect(table.stdout).toContain('Stable 2m');
    expect(table.stdout).toContain('lag per partition');
    expect(table.stdout).toMatch(/│ \d+\.\d MB │ \d+(\.\d)?% +│/);
    console.log(table.stdout);
  });

  it('pauses and resumes both instances and says which acknowledged', async () => {
    const paused = await run('pause', name, '--timeout', '20s');
    expect(paused.stderr).toBe('');
    expect(paused.code).toBe(ExitCode.ok);
    expect(paused.stdout).toContain('acknowledged by 2 live instance(s)');
    expect(runtimes.every((r) => r.paused)).toBe(true);

    const resumed = await run('resume', name, '--timeout', '20s', '--json');
    expect(resumed.code).toBe(ExitCode.ok);
    expect(resumed.json()).toMatchObject({ paused: false, pending: [] });
    expect(resumed.json<{ acknowledged: string[] }>().acknowledged).toHaveLength(2);
    expect(runtimes.some((r) => r.paused)).toBe(false);
  });

  it('times out with exit 4 naming an instance that does not acknowledge', async () => {
    await sql`insert into fleet.instances (instance_id, group_id, host, pid) values ('stuck-instance', ${name}, 'nowhere', 1)`.execute(
      world.db,
    );
    try {
      const result = await run('pause', name, '--timeout', '2s');
      expect(result.code).toBe(ExitCode.timedOut);
      expect(result.stderr).toContain('did not acknowledge');
      expect(result.stderr).toContain('stuck-instance');
    } finally {
      await sql`delete from fleet.instances where instance_id = 'stuck-instance'`.execute(world.db);
      expect((await run('resume', name)).code).toBe(ExitCode.ok);
    }
  });

  it('refuses to replay while the group has active members', async () => {
    const result = await run('replay', name, '--from', 'earliest');
    expect(result.code).toBe(ExitCode.refused);
    expect(result.stderr).toContain('stop the processor first');
  });

  it('says what is wrong with an unknown processor or a bad setting', async () => {
    const unknown = await run('pause', 'no_such_processor');
    expect(unknown.code).toBe(ExitCode.usage);
    expect(unknown.stderr).toContain(`registered: ${name}`);
    const bad = await fleet(['status', '--brokers', 'nonsense'], { databaseUrl: world.database.url });
    expect(bad.code).toBe(ExitCode.usage);
    expect(bad.stderr).toContain('KAFKA_BROKERS.0: each broker must be host:port');
  });

  it('records every write in fleet.audit, and fleet audit lists it newest first, filtered and terminal-safe', async () => {
    const resumed = await fleet(['resume', name], {
      databaseUrl: world.database.url,
      vars: { FLEET_OPERATOR: 'dana' },
    });
    expect(resumed.code).toBe(ExitCode.ok);
    const listed = await run('audit', '--processor', name, '--json');
    expect(listed.code).toBe(ExitCode.ok);
    const entries = listed.json<{ entries: AuditEntry[] }>().entries;
    expect(entries.map((e) => [e.source, e.action, e.result, e.status])).toEqual([
      ['cli', 'resume', 'ok', 0],
      ['cli', 'replay', 'refused', ExitCode.refused],
      ['cli', 'resume', 'ok', 0],
      ['cli', 'pause', 'failed', ExitCode.timedOut],
      ['cli', 'resume', 'ok', 0],
      ['cli', 'pause', 'ok', 0],
    ]);
    expect(entries[0]).toMatchObject({ actor: 'dana', selfDeclared: true, processor: name, role: 'write' });
    expect(entries[0]?.via).toMatch(/^fleet-cli as /);
    expect(entries[1]?.arguments).toMatchObject({ from: 'earliest' });
    expect(entries[3]?.detail).toMatchObject({ error: { code: 'ACK_TIMEOUT' } });

    // Whatever a caller stated is printed escaped: no terminal control sequence reaches the screen.
    await new AuditLog(world.db as Kysely<unknown>).record({
      who: {
        actor: 'mallory\u001b]0;owned\u0007\u001b[2J',
        role: 'write',
        via: 'shared write token',
        selfDeclared: true,
      },
      source: 'admin-api',
      action: 'pause',
      processor: name,
      arguments: { note: '\u001b[31mred' },
      result: 'ok',
      status: 202,
      detail: null,
    });
    const table = await run('audit', '--processor', name, '--since', '10m', '--limit', '4');
    expect(table.code).toBe(ExitCode.ok);
    console.log(table.stdout);
    expect(table.stdout).not.toContain('\u001b');
    expect(table.stdout).not.toContain('\u0007');
    expect(table.stdout).toContain('mallory\\x1b]0;owned\\x07');
    expect(table.stdout.match(/│ (pause|resume|replay) +│/g)).toHaveLength(4);
    expect((await run('audit', '--since', 'yesterday')).code).toBe(ExitCode.usage);
  });
});
