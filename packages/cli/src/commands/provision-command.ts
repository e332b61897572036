import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { audited } from '../cli-audit.ts';
import { CliError, usageError } from '../cli-error.ts';
import { type CommandContext, print, printJson } from '../command-context.ts';
import {
  defaultRolePrefix,
  type ProvisioningPlan,
  passwordStatement,
  provisioningPlan,
} from '../provisioning/provisioning-plan.ts';
import { generatePassword, scramVerifier } from '../provisioning/scram-verifier.ts';
import { renderTable } from '../table.ts';

export interface ProvisionOptions {
  processors: string[];
  rolePrefix?: string | undefined;
  operatorRole?: string | undefined;
  dryRun?: boolean | undefined;
}

/** Where a role's password came from; `value` only for one generated now (shown this once). */
export interface RolePassword {
  role: string;
  /** The processor it runs, or null for the operator role. */
  processor: string | null;
  password: 'from-env' | 'generated' | 'unchanged';
  value?: string;
}

export interface ProvisionResult {
  dryRun: boolean;
  statements?: string[];
  roles: RolePassword[];
}

/** `FLEET_DB_PASSWORD_FLEET_INVENTORY` for role `fleet_inventory` (or its `_FILE` form). */
export const passwordVariable = (role: string) => `FLEET_DB_PASSWORD_${role.toUpperCase()}`;

const MIN_PASSWORD_LENGTH = 16;

/**
 * `fleet provision <processor…>`: a login role per processor that owns its schema (and its rebuild's)
 * and writes only its own rows of the control tables, and an operator role; run by an administrator
 * against DATABASE_URL, idempotent. `--dry-run` prints the SQL and connects to nothing.
 */
export async function provisionCommand(
  ctx: CommandContext,
  options: ProvisionOptions,
): Promise<ProvisionResult> {
  const rolePrefix = options.rolePrefix ?? defaultRolePrefix;
  const plan = provisioningPlan({
    processors: options.processors,
    rolePrefix,
    operatorRole: options.operatorRole ?? `${rolePrefix}operator`,
  });
  const logins = [
    ...plan.processorRoles.map((r) => ({ role: r.role, processor: r.processor as string | null })),
    { role: plan.operatorRole, processor: null },
  ];
  if (options.dryRun) {
    const result: ProvisionResult = {
      dryRun: true,
      statements: plan.statements,
      roles: logins.map((l) => ({ ...l, password: 'unchanged' })),
    };
    if (ctx.json) printJson(ctx, result);
    else print(ctx, renderSql(plan));
    return result;
  }
  const given = new Map(logins.map(({ role }) => [role, passwordFromEnv(ctx.io.env, role)]));
  await assertMayProvision(ctx);
  const result = await audited(
    ctx,
    {
      action: 'provision',
      processor: plan.processorRoles.map((r) => r.processor).join(','),
      arguments: { processors: options.processors, rolePrefix, operatorRole: plan.operatorRole },
    },
    () => apply(ctx, plan, logins, given),
    // Never a password in the audit: only where each came from.
    (r) => ({ roles: r.roles.map(({ value: _value, ...rest }) => rest) }),
  );
  if (ctx.json) printJson(ctx, result);
  else print(ctx, renderResult(result));
  return result;
}

async function apply(
  ctx: CommandContext,
  plan: ProvisioningPlan,
  logins: { role: string; processor: string | null }[],
  given: Map<string, string | undefined>,
): Promise<ProvisionResult> {
  const db = ctx.connections.db;
  return db.transaction().execute(async (trx) => {
    // Concurrent runs would race on CREATE ROLE; one at a time.
    await sql`select pg_advisory_xact_lock(hashtext('fleet-provision'))`.execute(trx);
    const existing = new Set(
      (
        await sql<{
          rolname: string;
        }>`select rolname from pg_roles where rolname = any(${logins.map((l) => l.role)}::text[])`.execute(
          trx,
        )
      ).rows.map((r) => r.rolname),
    );
    for (const statement of plan.statements) await sql.raw(statement).execute(trx);
    const roles: RolePassword[] = [];
    for (const { role, processor } of logins) {
      const fromEnv = given.get(role);
      const password = fromEnv ?? (existing.has(role) ? undefined : generatePassword());
      if (password !== undefined)
        await sql.raw(passwordStatement(role, scramVerifier(password))).execute(trx);
      roles.push(
        fromEnv !== undefined
          ? { role, processor, password: 'from-env' }
          : password !== undefined
            ? { role, processor, password: 'generated', value: password }
            : { role, processor, password: 'unchanged' },
      );
    }
    return { dryRun: false, roles };
  });
}

/** Before anything is written, the audit record included: a processor's or the operator's role gets a clear refusal. */
async function assertMayProvision(ctx: CommandContext): Promise<void> {
  const { rows } = await sql<{ allowed: boolean; who: string }>`
      select current_user as who, (select rolsuper or (rolcreaterole and has_database_privilege(current_database(), 'CREATE'))
        from pg_roles where rolname = current_user) as allowed`.execute(ctx.connections.db);
  if (!rows[0]?.allowed)
    throw new CliError(
      'PROVISION_NOT_ALLOWED',
      `${rows[0]?.who ?? 'this role'} may not provision: connect (--database-url / DATABASE_URL) as a superuser, or as a role with CREATEROLE and CREATE on the database that owns the fleet schema`,
    );
}

function passwordFromEnv(env: Record<string, string | undefined>, role: string): string | undefined {
  const name = passwordVariable(role);
  const inline = env[name];
  const file = env[`${name}_FILE`];
  if (inline !== undefined && file !== undefined)
    throw usageError('PROVISION_INVALID', `${name} and ${name}_FILE are both set: keep one`);
  let password = inline;
  if (file !== undefined)
    try {
      password = readFileSync(file, 'utf8').trim();
    } catch (error) {
      throw usageError('PROVISION_INVALID', `${name}_FILE: cannot read ${file}: ${(error as Error).message}`);
    }
  if (password !== undefined && password.length < MIN_PASSWORD_LENGTH)
    throw usageError('PROVISION_INVALID', `${name} must be ${MIN_PASSWORD_LENGTH} characters or more`);
  return password;
}

function renderSql(plan: ProvisioningPlan): string {
  const header = [
    `-- fleet provision: ${plan.processorRoles.map((r) => `${r.role} (${r.processor})`).join(', ')}; operator ${plan.operatorRole}`,
    '-- Run as a superuser or a CREATEROLE role with CREATE on the database; idempotent.',
    '-- Passwords are not part of this script: `fleet provision` (without --dry-run) sets them as SCRAM',
    '-- verifiers, or run `\\password <role>` in psql.',
  ];
  return `${header.join('\n')}\nbegin;\n\n${plan.statements.map((s) => `${s};`).join('\n\n')}\n\ncommit;\n`;
}

function renderResult(result: ProvisionResult): string {
  const table = renderTable(
    ['role', 'processor', 'password'],
    result.roles.map((r) => [
      r.role,
      r.processor ?? '(operator: fleet CLI, console)',
      r.password === 'from-env'
        ? `set from ${passwordVariable(r.role)}`
        : r.password === 'generated'
          ? (r.value ?? '')
          : 'unchanged',
    ]),
  );
  const generated = result.roles.some((r) => r.password === 'generated');
  return generated
    ? `${table}\nGenerated passwords are shown this once and stored only as SCRAM verifiers: put them in your secret store now (each processor's DATABASE_URL: postgres://<role>:<password>@host/db).\n`
    : table;
}
