// Each demo service alone, idle, started three ways (from source as before, compiled, compiled within
// the memory budget): what start-up leaves resident, without traffic and without the other services.
import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { internalPortFor } from '../../packages/processor/src/deployment-settings.ts';
import { memoryBudget } from '../../packages/processor/src/memory-budget.ts';
import { serviceArgs } from '../../scripts/service-launch.ts';
import { type IdleResult, type LaunchVariant, variantLabels } from './fleet-memory-report.ts';
import { hasEnded, readProcessMemory } from './process-memory.ts';

export const demoServices = [
  'order-intake',
  'inventory',
  'payments',
  'order-lifecycle',
  'order-view',
  'sales-analytics',
];

/** The demo's connection settings (scripts/start.ts), with an intake key of this tool's own. */
export function demoEnv(): Record<string, string> {
  const key = `bench-${randomUUID()}`;
  return {
    KAFKA_BROKERS: '127.0.0.1:9092',
    SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081/apis/ccompat/v7',
    DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
    LOG_LEVEL: 'warn',
    INTAKE_API_KEYS: `bench sha256:${createHash('sha256').update(key).digest('hex')}`,
    FLEET_ADMIN_TOKEN: randomUUID(),
  };
}

/** Where a service answers /readyz and /metrics: a processor's internal listener (1000 above), the intake's only one. */
export const opsPort = (name: string, port: number) =>
  name === 'order-intake' ? port : internalPortFor(port);

export async function untilReady(port: number, exited: () => boolean): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline && !exited()) {
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return;
    await sleep(250);
  }
  throw new Error(`not ready on :${port} within 90 s (or exited)`);
}

export async function measureIdle(options: {
  budgetMb: number;
  settleSeconds: number;
  port: number;
  services?: string[];
}): Promise<IdleResult> {
  const startedAt = new Date().toISOString();
  const rows: IdleResult['rows'] = [];
  const base = { ...process.env, ...demoEnv() };
  for (const service of options.services ?? demoServices) {
    for (const variant of Object.keys(variantLabels) as LaunchVariant[]) {
      const budgeted = variant === 'compiled-budget';
      const args = serviceArgs(service, {
        compiled: variant !== 'source',
        budgetMb: budgeted ? options.budgetMb : undefined,
      });
      const env: NodeJS.ProcessEnv = { ...base, HTTP_PORT: String(options.port) };
      if (budgeted) env.PROCESSOR_MEMORY_BUDGET_MB = String(options.budgetMb);
      const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      try {
        await untilReady(opsPort(service, options.port), () => hasEnded(child));
        await sleep(options.settleSeconds * 1000);
        const memory = child.pid === undefined ? undefined : readProcessMemory(child.pid);
        if (!memory) throw new Error('exited before it was measured');
        rows.push({ service, variant, rssMb: memory.rssMb, anonMb: memory.anonMb, fileMb: memory.fileMb });
        console.error(`${service} ${variant}: ${memory.rssMb} MB`);
      } catch (error) {
        throw new Error(`${service} (${variant}): ${(error as Error).message}`);
      } finally {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 40_000);
        await exited;
        clearTimeout(killer);
      }
    }
  }
  return {
    schemaVersion: 1,
    startedAt,
    node: process.version,
    budgetMb: options.budgetMb,
    heapFlags: memoryBudget(options.budgetMb).nodeFlags,
    settleSeconds: options.settleSeconds,
    rows,
  };
}
