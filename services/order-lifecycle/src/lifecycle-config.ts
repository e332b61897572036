import { ConfigError } from '@fleet/processor';

/** How long an order's saga may wait for its outcomes before it is cancelled and compensated. */
export function sagaTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.ORDER_SAGA_TIMEOUT_MS;
  if (raw === undefined || raw === '') return 15 * 60_000;
  const ms = Number(raw);
  if (!Number.isSafeInteger(ms) || ms < 1_000)
    throw new ConfigError([
      `ORDER_SAGA_TIMEOUT_MS: must be an integer of at least 1000 (ms), got ${JSON.stringify(raw)}`,
    ]);
  return ms;
}
