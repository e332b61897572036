import { controlTableStatements, replayGroups, versionSchemas } from '@fleet/processor';
import { usageError } from '../cli-error.ts';
import { ident, literal, textArray } from './sql-quote.ts';

export interface ProvisionSettings {
  /** Processor names; each is its consumer group and its schema (the runtime's defaults). */
  processors: string[];
  /** A processor's login role is the prefix and its name: `fleet_inventory`. */
  rolePrefix: string;
  /** The login role of the `fleet` CLI and the console: reads the whole fleet, pauses any processor. */
  operatorRole: string;
}

export const defaultRolePrefix = 'fleet_';

/** One processor's role and what it may own and write. */
export interface ProcessorRole {
  processor: string;
  role: string;
  /** Its live schema and the rebuild's: it owns these, may create and rename them, and no other. */
  schemas: string[];
  /** The consumer groups whose rows of fleet.processors, .instances, .controls and .audit it may write. */
  groups: string[];
}

export interface ProvisioningPlan {
  processorRoles: ProcessorRole[];
  /** NOLOGIN role every processor role is a member of: the grants and policies name it once. */
  groupRole: string;
  operatorRole: string;
  /** Idempotent statements, in order, for an administrator (superuser, or CREATEROLE with CREATE on the database). */
  statements: string[];
}

const processorName = /^[a-z][a-z0-9_]*$/;
const roleName = /^[a-z_][a-z0-9_]*$/;

/** The roles, grants and row-level security of least-privileged processors, as SQL. */
export function provisioningPlan(settings: ProvisionSettings): ProvisioningPlan {
  const { rolePrefix, operatorRole } = settings;
  const groupRole = `${rolePrefix}processors`;
  const processors = [...new Set(settings.processors)];
  if (processors.length === 0)
    throw usageError('PROVISION_INVALID', 'name at least one processor to provision');
  const problems: string[] = [];
  if (!roleName.test(rolePrefix))
    problems.push(`--role-prefix "${rolePrefix}": lower-case letters, digits and _ only`);
  if (!roleName.test(operatorRole))
    problems.push(`--operator-role "${operatorRole}": lower-case letters, digits and _ only`);
  // `__` separates a live schema from its rebuild's (`inventory__rebuild`): a name holding it would
  // own another processor's versions.
  for (const p of processors)
    if (!processorName.test(p) || p.includes('__') || p.endsWith('_'))
      problems.push(`processor "${p}": a lower-case identifier without "__" (its schema and consumer group)`);
  const processorRoles = processors.map((processor) => ({
    processor,
    role: `${rolePrefix}${processor}`,
    schemas: Object.values(versionSchemas(processor)),
    groups: [processor, ...Object.values(replayGroups(processor))],
  }));
  for (const r of [...processorRoles.map((p) => p.role), groupRole, operatorRole])
    if (Buffer.byteLength(r) > 63) problems.push(`role "${r}" is longer than PostgreSQL's 63 bytes`);
  const roles = [...processorRoles.map((p) => p.role), groupRole, operatorRole];
  const clash = roles.find((r, i) => roles.indexOf(r) !== i);
  if (clash)
    problems.push(`role "${clash}" would serve twice: choose another --operator-role or processor name`);
  if (problems.length > 0) throw usageError('PROVISION_INVALID', problems.join('; '));
  return {
    processorRoles,
    groupRole,
    operatorRole,
    statements: [
      ...roleStatements(processorRoles, groupRole, operatorRole),
      ...controlTableStatements,
      ...mappingStatements(processorRoles),
      ...schemaFunctionStatements(groupRole),
      ...controlGrantStatements(groupRole, operatorRole),
      ...processorRoles.flatMap((r) => ownSchemaStatements(r, operatorRole)),
    ],
  };
}

/** Sets a role's password from its SCRAM verifier (never the password itself). */
export const passwordStatement = (role: string, verifier: string) =>
  `alter role ${ident(role)} password ${literal(verifier)}`;

/** CREATE ROLE has no IF NOT EXISTS: a DO block creates it once, and refuses one with powers it must not have. */
function ensureRole(role: string, login: boolean): string[] {
  return [
    `do $$ begin
  if not exists (select from pg_roles where rolname = ${literal(role)}) then
    create role ${ident(role)} ${login ? 'login' : 'nologin'} nosuperuser nocreatedb nocreaterole noreplication nobypassrls;
  end if;
  if exists (select from pg_roles where rolname = ${literal(role)}
      and (rolsuper or rolcreatedb or rolcreaterole or rolreplication or rolbypassrls)) then
    raise exception 'role ${role} exists with superuser, createdb, createrole, replication or bypassrls: remove them first'
      using errcode = '42501';
  end if;
end $$`,
  ];
}

function roleStatements(processorRoles: ProcessorRole[], groupRole: string, operatorRole: string): string[] {
  const all = [groupRole, operatorRole].map(ident).join(', ');
  return [
    ...ensureRole(groupRole, false),
    ...ensureRole(operatorRole, true),
    ...processorRoles.flatMap(({ role }) => [
      ...ensureRole(role, true),
      `grant ${ident(groupRole)} to ${ident(role)}`,
    ]),
    // An administrator that is not a superuser creates schemas owned by a processor's role only as
    // a member of it (CREATE SCHEMA … AUTHORIZATION), and owns the schema functions below.
    `do $$ begin
  if not (select rolsuper from pg_roles where rolname = current_user) then
${processorRoles.map(({ role }) => `    grant ${ident(role)} to current_user;`).join('\n')}
  end if;
end $$`,
    `do $$ begin execute format('grant connect on database %I to ${all.replaceAll("'", "''")}', current_database()); end $$`,
    // PostgreSQL 15's default, stated for databases created before it: nobody but the owner creates
    // tables in public, so a processor's role writes its own schema and nothing else.
    'revoke create on schema public from public',
  ];
}

/** Which role is which processor: the policies and the schema functions read it. */
function mappingStatements(processorRoles: ProcessorRole[]): string[] {
  return [
    `create table if not exists fleet.processor_roles (
    role_name name primary key,
    processor text not null unique,
    schemas text[] not null,
    groups text[] not null)`,
    ...processorRoles.map(
      (r) => `insert into fleet.processor_roles (role_name, processor, schemas, groups)
  values (${literal(r.role)}, ${literal(r.processor)}, ${textArray(r.schemas)}, ${textArray(r.groups)})
  on conflict (role_name) do update set processor = excluded.processor, schemas = excluded.schemas, groups = excluded.groups`,
    ),
    // Members of a processor's role count as it: a second login role for a password rotation.
    `create or replace function fleet.owns_group(target text) returns boolean
  language sql stable set search_path = pg_catalog, pg_temp as $$
  select exists (select from fleet.processor_roles r
    where target = any (r.groups) and pg_has_role(current_user, r.role_name, 'USAGE')) $$`,
    `create or replace function fleet.owns_schema(target text) returns boolean
  language sql stable set search_path = pg_catalog, pg_temp as $$
  select exists (select from fleet.processor_roles r
    where target = any (r.schemas) and pg_has_role(current_user, r.role_name, 'USAGE')) $$`,
  ];
}

/**
 * A processor's role has no CREATE on the database (it could then create any schema, a squat on
 * another processor's rebuild name among them). These two functions, run with the administrator's
 * rights, create and rename schemas of the caller's processor only, owned by its role. The runtime
 * calls them when it may not run the DDL itself (packages/processor/src/schema-ddl.ts).
 */
function schemaFunctionStatements(groupRole: string): string[] {
  const owner = (schemaVar: string) => `select r.role_name into owner from fleet.processor_roles r
    where ${schemaVar} = any (r.schemas) and pg_has_role(session_user, r.role_name, 'USAGE')`;
  return [
    `create or replace function fleet.create_processor_schema(target text) returns void
  language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
declare owner name;
begin
  ${owner('target')};
  if owner is null then
    raise exception 'role % may not create schema %: not one of its processor''s schemas', session_user, target
      using errcode = '42501';
  end if;
  execute format('create schema if not exists %I authorization %I', target, owner);
end $$`,
    `create or replace function fleet.rename_processor_schema(target text, new_name text) returns void
  language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
declare owner name;
begin
  ${owner('target')}
      and new_name = any (r.schemas)
      and (select n.nspowner from pg_namespace n where n.nspname = target) = (select oid from pg_roles where rolname = r.role_name);
  if owner is null then
    raise exception 'role % may not rename schema % to %: both must be schemas of its processor, owned by it', session_user, target, new_name
      using errcode = '42501';
  end if;
  execute format('alter schema %I rename to %I', target, new_name);
end $$`,
    ...['create_processor_schema(text)', 'rename_processor_schema(text, text)'].flatMap((f) => [
      `revoke all on function fleet.${f} from public`,
      `grant execute on function fleet.${f} to ${ident(groupRole)}`,
    ]),
  ];
}

/** Which rows of the control tables each side may touch: a processor its own, the operator all. */
const ownRows: Record<string, { using: string; check: string }> = {
  processors: {
    using: 'fleet.owns_group(group_id)',
    check: 'fleet.owns_group(group_id) and fleet.owns_schema(db_schema)',
  },
  instances: { using: 'fleet.owns_group(group_id)', check: 'fleet.owns_group(group_id)' },
  controls: { using: 'fleet.owns_group(group_id)', check: 'fleet.owns_group(group_id)' },
  rebuilds: { using: 'fleet.owns_schema(db_schema)', check: 'fleet.owns_schema(db_schema)' },
  audit: { using: 'fleet.owns_group(processor)', check: 'fleet.owns_group(processor)' },
};

function controlGrantStatements(groupRole: string, operatorRole: string): string[] {
  const processors = ident(groupRole);
  const operator = ident(operatorRole);
  return [
    `grant usage on schema fleet to ${processors}, ${operator}`,
    `grant select on fleet.processor_roles to ${processors}, ${operator}`,
    `grant select, insert, update, delete on fleet.processors, fleet.instances, fleet.controls, fleet.rebuilds to ${processors}`,
    // The audit is append-only to everyone but its owner: rows are completed (finished_at, result), never deleted.
    `grant select, insert, update on fleet.audit to ${processors}, ${operator}`,
    `grant usage on sequence fleet.audit_id_seq to ${processors}, ${operator}`,
    `grant select on fleet.processors, fleet.instances, fleet.controls, fleet.rebuilds to ${operator}`,
    `grant insert, update on fleet.controls to ${operator}`,
    ...Object.entries(ownRows).flatMap(([table, { using, check }]) => [
      `alter table fleet.${table} enable row level security`,
      `drop policy if exists own_rows on fleet.${table}`,
      `create policy own_rows on fleet.${table} to ${processors} using (${using}) with check (${check})`,
      `drop policy if exists operator_rows on fleet.${table}`,
      `create policy operator_rows on fleet.${table} to ${operator} using (true) with check (true)`,
    ]),
  ];
}

/**
 * The processor's live schema, owned by its role with everything in it (a database whose processors
 * ran as the administrator before hands them over), and the operator's read access to it and to what
 * the role creates later (a rebuild's schema too): `fleet status` counts the outbox and the dedupe table.
 */
function ownSchemaStatements(r: ProcessorRole, operatorRole: string): string[] {
  const role = ident(r.role);
  const operator = ident(operatorRole);
  return [
    `do $$
declare
  target text;
  o record;
begin
  foreach target in array ${textArray(r.schemas)} loop
    if not exists (select from pg_namespace where nspname = target) then
      if target = ${literal(r.processor)} then
        execute format('create schema %I authorization %I', target, ${literal(r.role)});
      end if;
      continue;
    end if;
    execute format('alter schema %I owner to %I', target, ${literal(r.role)});
    for o in select c.relname, c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = target and c.relkind in ('r', 'p', 'v', 'm', 'S', 'f')
          -- a serial's or identity's sequence follows its table
          and not (c.relkind = 'S' and exists (select from pg_depend d
            where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype in ('a', 'i'))) loop
      execute format('alter %s %I.%I owner to %I',
        case o.relkind when 'S' then 'sequence' when 'v' then 'view' when 'm' then 'materialized view'
          when 'f' then 'foreign table' else 'table' end, target, o.relname, ${literal(r.role)});
    end loop;
    for o in select p.oid::regprocedure as routine from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname = target loop
      execute format('alter routine %s owner to %I', o.routine, ${literal(r.role)});
    end loop;
    for o in select t.typname from pg_type t join pg_namespace n on n.oid = t.typnamespace
        left join pg_class c on c.oid = t.typrelid
        where n.nspname = target and t.typelem = 0
          and (t.typtype in ('e', 'd', 'r', 'm') or (t.typtype = 'c' and c.relkind = 'c')) loop
      execute format('alter type %I.%I owner to %I', target, o.typname, ${literal(r.role)});
    end loop;
    execute format('grant usage on schema %I to %I', target, ${literal(operatorRole)});
    execute format('grant select on all tables in schema %I to %I', target, ${literal(operatorRole)});
  end loop;
end $$`,
    `alter default privileges for role ${role} grant usage on schemas to ${operator}`,
    `alter default privileges for role ${role} grant select on tables to ${operator}`,
  ];
}
