import { fileURLToPath } from 'node:url';
import { type ProcessorRuntime, requestPause } from '@fleet/processor';
import { infraSettings, kyselyFor, uniqueName, waitFor } from '@fleet/testkit';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LedgerWorld, ledgerWorld, movements } from '../../processor/test/ledger-harness.ts';
import { type ProvisionResult, passwordVariable } from '../src/commands/provision-command.ts';
import { scramVerifier } from '../src/provisioning/scram-verifier.ts';
import { fleet } from './cli-harness.ts';

const definition = fileURLToPath(new URL('./ledger-from-env.ts', import.meta.url));

// Roles belong to the cluster, not to a database: a prefix of their own keeps runs apart.
const prefix = `${uniqueName('lp')
  .toLowerCase()
  .replaceAll(/[^a-z0-9]/g, '')}_`;

// A processor running as the role `fleet provision` gave it: no superuser, its own schema only, its
// own rows of the control tables only; consuming, the outbox, pause, rebuild and rollback as that role.
describe('least privilege in PostgreSQL', () => {
  let world: LedgerWorld;
  let live: ProcessorRuntime<unknown> | undefined;
  const name = 'ledger_lp';
  const other = 'other_lp';
  const role = `${prefix}${name}`;
  const otherRole = `${prefix}${other}`;
  const operatorRole = `${prefix}operator`;
  const password = 'a-password-from-the-secret-store';
  const adminToken = 'a-write-token-for-alice';
  const urlAs = (user: string) => {
    const url = new URL(world.database.url);
    url.username = user;
    url.password = user === role ? password : '';
    return url.toString();
  };
  const asRole: Kysely<unknown>[] = [];
  const connectAs = (user: string) => {
    const db = kyselyFor<unknown>(urlAs(user));
    asRole.push(db);
    return db;
  };
  const provision = (...args: string[]) =>
    fleet(['provision', name, other, '--role-prefix', prefix, '--json', ...args], {
      databaseUrl: world.database.url,
      vars: { [passwordVariable(role)]: password },
    });

  beforeAll(async () => {
    world = await ledgerWorld(name);
    process.env.LEDGER_ACCOUNTS_TOPIC = world.contracts.accounts.name;
    process.env.LEDGER_NOTICES_TOPIC = world.contracts.notices.name;
    process.env.LEDGER_NAME = name;
  });
  afterAll(async () => {
    await live?.stop();
    for (const db of asRole) await db.destroy();
    await world.close();
    const admin = new pg.Client({ connectionString: infraSettings().databaseUrl });
    await admin.connect();
    for (const r of [role, otherRole, operatorRole, `${prefix}processors`])
      await admin.query(`drop role if exists "${r}"`).catch(() => {});
    await admin.end();
  });

  it('provisions roles without superuser powers, once however often it runs', async () => {
    const first = await provision();
    expect(first.code, first.stderr).toBe(0);
    const roles = first.json<ProvisionResult>().roles;
    expect(roles.map((r) => [r.role, r.password])).toEqual([
      [role, 'from-env'],
      [otherRole, 'generated'],
      [operatorRole, 'generated'],
    ]);
    expect(roles[1]?.value).toMatch(/^[\w-]{43}$/);

    const again = await provision();
    expect(again.code, again.stderr).toBe(0);
    expect(again.json<ProvisionResult>().roles.map((r) => r.password)).toEqual([
      'from-env',
      'unchanged',
      'unchanged',
    ]);

    const { rows } = await sql<{
      rolname: string;
      powers: boolean;
      create_db: boolean;
      verifier: boolean;
    }>`select rolname, rolsuper or rolcreaterole or rolcreatedb or rolreplication or rolbypassrls as powers,
         has_database_privilege(rolname, current_database(), 'CREATE') as create_db,
         (select rolpassword like 'SCRAM-SHA-256$%' from pg_authid a where a.rolname = r.rolname) as verifier
       from pg_roles r where rolname = any(${[role, otherRole, operatorRole]}::text[]) order by rolname`.execute(
      world.db,
    );
    expect(rows).toHaveLength(3);
    for (const r of rows)
      expect(r, r.rolname).toMatchObject({ powers: false, create_db: false, verifier: true });

    const { rows: owners } = await sql<{ nspname: string; owner: string }>`
      select nspname, nspowner::regrole::text as owner from pg_namespace
      where nspname = any(${[name, other]}::text[]) order by nspname`.execute(world.db);
    expect(owners).toEqual([
      { nspname: name, owner: role },
      { nspname: other, owner: otherRole },
    ]);
  });

  it('stores the same SCRAM verifier PostgreSQL computes from the password', async () => {
    const probe = `${prefix}probe`;
    await sql`set password_encryption = 'scram-sha-256'`.execute(world.db);
    await sql.raw(`create role "${probe}" nologin password 'pencil-and-paper'`).execute(world.db);
    try {
      const { rows } = await sql<{ verifier: string }>`
        select rolpassword as verifier from pg_authid where rolname = ${probe}`.execute(world.db);
      const verifier = rows[0]?.verifier ?? '';
      const [, iterations, salt] = /^SCRAM-SHA-256\$(\d+):([^$]+)\$/.exec(verifier) ?? [];
      expect(scramVerifier('pencil-and-paper', Number(iterations), Buffer.from(salt ?? '', 'base64'))).toBe(
        verifier,
      );
    } finally {
      await sql.raw(`drop role "${probe}"`).execute(world.db);
    }
  });

  it('runs the processor as its role: consumes, projects, publishes follow-ons through the outbox', async () => {
    // The other processor's projection, written by its own role.
    await sql`create table ${sql.id(other, 'secrets')} (v text)`.execute(connectAs(otherRole));
    await sql`insert into ${sql.id(other, 'secrets')} values ('not for ledger')`.execute(
      connectAs(otherRole),
    );

    live = (await world.start({
      DATABASE_URL: urlAs(role),
      HTTP_PORT: '0',
      FLEET_ADMIN_WRITE_TOKEN: `alice=${adminToken}`,
    })) as ProcessorRuntime<unknown>;
    const input = movements(300, 20);
    await world.send(input);
    await world.waitForOracle();
    // The ledger publishes BalanceChanged for every fifth deposit of an account.
    const followOns = input.filter((i) => i.type === 'Deposited' && i.data.seq % 5 === 0).length;
    expect(followOns).toBeGreaterThan(0);
    await waitFor('the follow-ons on the notices topic', async () =>
      (await world.readTopic(world.contracts.notices.name)).length >= followOns ? true : undefined,
    );
    const { rows } = await sql<{ owner: string; n: number }>`
      select (select tableowner from pg_tables where schemaname = ${name} and tablename = 'outbox') as owner,
        (select count(*)::int from ${sql.id(name, 'outbox')}) as n`.execute(world.db);
    expect(rows[0]).toEqual({ owner: role, n: 0 });
  });

  it('cannot read another processor’s schema nor pause it; pauses itself', async () => {
    const db = connectAs(role);
    await expect(sql`select v from ${sql.id(other, 'secrets')}`.execute(db)).rejects.toMatchObject({
      code: '42501',
    });
    await expect(sql`create table ${sql.id(other, 'planted')} (v text)`.execute(db)).rejects.toMatchObject({
      code: '42501',
    });
    await expect(sql`create schema squatted`.execute(db)).rejects.toMatchObject({ code: '42501' });
    await expect(
      sql`select fleet.create_processor_schema(${`${other}__rebuild`})`.execute(db),
    ).rejects.toMatchObject({
      code: '42501',
    });

    // Insert for the other processor: refused by row-level security.
    await expect(requestPause(db, other, true, 'intruder')).rejects.toMatchObject({ code: '42501' });
    // Its existing row (the operator's resume) cannot be turned into a pause, nor deleted: it is not seen.
    await requestPause(connectAs(operatorRole), other, false, 'operator');
    const changed = await sql`update fleet.controls set paused = true where group_id = ${other}`.execute(db);
    expect(changed.numAffectedRows).toBe(0n);
    const { rows: seen } = await sql<{ group_id: string }>`select group_id from fleet.controls`.execute(db);
    expect(seen.map((r) => r.group_id)).not.toContain(other);
    const { rows: control } = await sql<{ paused: boolean }>`
      select paused from fleet.controls where group_id = ${other}`.execute(world.db);
    expect(control).toEqual([{ paused: false }]);
    await expect(
      sql`insert into fleet.instances (instance_id, group_id, host, pid) values ('x', ${other}, 'h', 1)`.execute(
        db,
      ),
    ).rejects.toMatchObject({ code: '42501' });

    // Its own processor: paused through its admin API (fleet.controls and fleet.audit, written as its
    // role), acknowledged by its instance, resumed.
    const admin = async (path: string) => {
      const response = await fetch(`${live?.internalAddress}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}` },
      });
      return response.status;
    };
    const acknowledged = async (paused: boolean) =>
      waitFor(`the instance to acknowledge paused=${paused}`, async () => {
        const { rows } = await sql<{ paused: boolean }>`
          select paused from fleet.instances where group_id = ${name}`.execute(world.db);
        return rows.length > 0 && rows.every((r) => r.paused === paused) ? true : undefined;
      });
    expect(await admin('/admin/pause')).toBe(202);
    await acknowledged(true);
    expect(await admin('/admin/resume')).toBe(202);
    await acknowledged(false);
    const { rows: audit } = await sql<{ action: string; actor: string; result: string }>`
      select action, actor, result from fleet.audit where processor = ${name} and source = 'admin-api'
      order by id`.execute(world.db);
    expect(audit).toEqual([
      { action: 'pause', actor: 'alice', result: 'ok' },
      { action: 'resume', actor: 'alice', result: 'ok' },
    ]);
  });

  it('gives the operator the whole fleet to read and pause, and no DDL', async () => {
    const status = await fleet(['status', '--json'], { databaseUrl: urlAs(operatorRole) });
    expect(status.code, status.stderr).toBe(0);
    const { processors } = status.json<{ processors: { groupId: string; outbox: unknown }[] }>();
    const ledger = processors.find((p) => p.groupId === name);
    expect(ledger?.outbox).toMatchObject({ count: 0 });
    const asOperator = { databaseUrl: urlAs(operatorRole) };
    for (const verb of ['pause', 'resume']) {
      const done = await fleet([verb, name, '--timeout', '30s', '--json'], asOperator);
      expect(done.code, done.stderr).toBe(0);
    }
    const refused = await fleet(['provision', name, '--role-prefix', prefix], {
      databaseUrl: urlAs(operatorRole),
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`${operatorRole} may not provision`);
    await expect(
      sql`create table ${sql.id(name, 'planted')} (v text)`.execute(connectAs(operatorRole)),
    ).rejects.toMatchObject({
      code: '42501',
    });
  });

  it('rebuilds and rolls back as the role: the new schemas are created and renamed through the provisioned functions', async () => {
    const asLedger = { databaseUrl: urlAs(role) };
    const rebuilt = await fleet(['rebuild', name, '--definition', definition, '--json'], asLedger);
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    expect(rebuilt.json<{ events: number; keptAs: string }>()).toMatchObject({
      events: 300,
      keptAs: `${name}__previous`,
    });
    await world.send(movements(40, 20, 'after-switch'));
    await world.waitForOracle();

    const rolledBack = await fleet(
      ['rebuild', name, '--definition', definition, '--rollback', '--json'],
      asLedger,
    );
    expect(rolledBack.code, rolledBack.stderr).toBe(0);
    await world.send(movements(40, 20, 'after-rollback'));
    await world.waitForOracle();

    const { rows } = await sql<{ nspname: string; owner: string }>`
      select nspname, nspowner::regrole::text as owner from pg_namespace
      where nspname like ${`${name}%`} order by nspname`.execute(world.db);
    expect(rows).toEqual([
      { nspname: name, owner: role },
      { nspname: `${name}__rolled_back`, owner: role },
    ]);
  });
});
