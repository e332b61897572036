import { describe, expect, it } from 'vitest';
import { provisioningPlan } from './provisioning-plan.ts';

const plan = (processors: string[], rolePrefix = 'fleet_', operatorRole = 'fleet_operator') =>
  provisioningPlan({ processors, rolePrefix, operatorRole });

describe('provisioningPlan', () => {
  it('gives each processor its live and rebuild schemas and its replay groups, nothing more', () => {
    const { processorRoles, groupRole } = plan(['inventory', 'order_view']);
    expect(groupRole).toBe('fleet_processors');
    expect(processorRoles).toEqual([
      {
        processor: 'inventory',
        role: 'fleet_inventory',
        schemas: ['inventory', 'inventory__rebuild', 'inventory__previous', 'inventory__rolled_back'],
        groups: ['inventory', 'inventory__rebuild', 'inventory__rollback'],
      },
      {
        processor: 'order_view',
        role: 'fleet_order_view',
        schemas: ['order_view', 'order_view__rebuild', 'order_view__previous', 'order_view__rolled_back'],
        groups: ['order_view', 'order_view__rebuild', 'order_view__rollback'],
      },
    ]);
  });

  it('scopes every control table by row-level security, for processors and for the operator', () => {
    const sql = plan(['inventory']).statements.join(';\n');
    for (const table of ['processors', 'instances', 'controls', 'rebuilds', 'audit']) {
      expect(sql).toContain(`alter table fleet.${table} enable row level security`);
      expect(sql).toContain(`create policy own_rows on fleet.${table} to "fleet_processors"`);
      expect(sql).toContain(`create policy operator_rows on fleet.${table} to "fleet_operator"`);
    }
    // No CREATE on the database for anyone: schemas come through the checked functions.
    expect(sql).not.toMatch(/grant (all|create)[^;]* on database/i);
    expect(sql).toContain('security definer set search_path = pg_catalog, pg_temp');
  });

  it('refuses names that could reach another processor’s schemas or roles, all problems at once', () => {
    expect(() => plan(['inventory', 'inventory__rebuild', 'Bad-Name', 'trailing_'])).toThrow(
      /inventory__rebuild.*Bad-Name.*trailing_/,
    );
    expect(() => plan(['operator'])).toThrow(/role "fleet_operator" would serve twice/);
    expect(() => plan(['processors'])).toThrow(/role "fleet_processors" would serve twice/);
    expect(() => plan([])).toThrow(/at least one processor/);
    expect(() => plan(['a'.repeat(60)])).toThrow(/63 bytes/);
    expect(() => plan(['inventory'], 'Fleet-')).toThrow(/--role-prefix/);
  });
});
