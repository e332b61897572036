// A running processor fleet for the console's end-to-end test and its screenshots: the runtime's
// test ledger (packages/processor/test) with its admin API on, and a console in front of it.
import { infraSettings, uniqueName } from '@fleet/testkit';
import { POISON_AMOUNT } from '../../../packages/processor/test/ledger.ts';
import {
  type LedgerInput,
  type LedgerWorld,
  ledgerWorld,
  movements,
} from '../../../packages/processor/test/ledger-harness.ts';
import { loadConsoleConfig } from '../config.ts';
import { type RunningConsole, startConsole } from '../console-app.ts';

export const tokens = {
  admin: 'console-e2e-admin-token-0123456789',
  write: 'console-e2e-write-token-0123456789',
  read: 'console-e2e-read-token-01234567890',
};

export interface LedgerFleet {
  name: string;
  world: LedgerWorld;
  console: RunningConsole;
  /** Sends `count` deposits and withdrawals (waits until Kafka has them). */
  send(count: number): Promise<void>;
  /** Sends one deposit the ledger's handler always fails on. */
  sendPoison(): Promise<string>;
  close(): Promise<void>;
}

export async function startLedgerFleet(
  options: { pollMs?: number; name?: string } = {},
): Promise<LedgerFleet> {
  const name = options.name ?? uniqueName('ledger_console');
  const world = await ledgerWorld(name);
  const runtimes = [await world.start({ HTTP_PORT: '0', FLEET_ADMIN_TOKEN: tokens.admin })];
  const running = await startConsole(
    loadConsoleConfig({
      DATABASE_URL: world.database.url,
      KAFKA_BROKERS: infraSettings().kafkaBrokers.join(','),
      FLEET_ADMIN_TOKEN: tokens.admin,
      FLEET_CONSOLE_WRITE_TOKEN: `alice=${tokens.write}`,
      FLEET_CONSOLE_READ_TOKEN: tokens.read,
      FLEET_CONSOLE_PORT: '0',
      FLEET_CONSOLE_POLL_MS: String(options.pollMs ?? 500),
      FLEET_CONSOLE_ACK_TIMEOUT_MS: '20000',
      LOG_LEVEL: 'silent',
    }),
  );
  let batch = 0;
  return {
    name,
    world,
    console: running,
    async send(count) {
      const all = movements(count, 16, `${name}-b${batch++}`);
      for (let i = 0; i < all.length; i += 2_000) await world.send(all.slice(i, i + 2_000));
    },
    async sendPoison() {
      const id = `${name}-poison-${batch++}`;
      const poison: LedgerInput = {
        id,
        type: 'Deposited',
        data: { accountId: 'acct-poison', amount: POISON_AMOUNT, seq: 0 },
      };
      await world.send([poison]);
      return id;
    },
    async close() {
      await running.stop().catch(() => {});
      for (const r of runtimes) await r.stop().catch(() => {});
      await world.close().catch(() => {});
    },
  };
}
