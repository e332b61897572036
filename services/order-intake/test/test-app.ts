import { pino } from 'pino';
import { type AppDeps, buildApp } from '../src/app.ts';
import { hashApiKey } from '../src/auth/api-key.ts';
import { ApiKeyRegistry } from '../src/auth/api-key-registry.ts';
import { MemoryIdempotencyStore } from '../src/idempotency/memory-idempotency-store.ts';
import type { Limit } from '../src/rate-limit/rate-limits.ts';
import type { IntakeApp } from '../src/routes/route-context.ts';
import { RecordingPublisher } from './recording-publisher.ts';

/** Test clients: A has two keys (a rotation), B one. */
export const clientA = { id: 'client-a', key: 'oik_unit-test-key-of-client-a' };
export const clientA2 = { id: 'client-a', key: 'oik_unit-test-second-key-of-client-a' };
export const clientB = { id: 'client-b', key: 'oik_unit-test-key-of-client-b' };
export const asA = { 'x-api-key': clientA.key };
export const asB = { 'x-api-key': clientB.key };

/** The test clients' keys, each client with `limit`. */
export function testKeys(limit: Limit = { max: 1000, windowMs: 60_000 }): ApiKeyRegistry {
  return new ApiKeyRegistry(
    [clientA, clientA2, clientB].map((c) => ({ clientId: c.id, hash: hashApiKey(c.key) })),
    limit,
  );
}

/** An app with a recording publisher and in-memory stores: no network, driven with `inject`. */
export async function testApp(
  overrides: Partial<AppDeps> = {},
): Promise<{ app: IntakeApp; publisher: RecordingPublisher }> {
  const publisher = new RecordingPublisher();
  const app = await buildApp({
    logger: pino({ level: 'silent' }),
    publisher,
    idempotencyStore: new MemoryIdempotencyStore({ ttlMs: 60_000, inFlightTtlMs: 5_000, maxEntries: 100 }),
    apiKeys: testKeys(),
    ipRateLimit: { max: 10_000, windowMs: 1000 },
    docs: false,
    ...overrides,
  });
  return { app, publisher };
}

export const validOrder = {
  customerId: 'cust-1042',
  lines: [
    { sku: 'BOOK-0451', quantity: 2, unitPrice: 1299 },
    { sku: 'MUG-0007', quantity: 1, unitPrice: 850 },
  ],
  currency: 'EUR',
};
