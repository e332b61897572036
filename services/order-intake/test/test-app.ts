import { pino } from 'pino';
import { type AppDeps, buildApp } from '../src/app.ts';
import { MemoryIdempotencyStore } from '../src/idempotency/memory-idempotency-store.ts';
import type { IntakeApp } from '../src/routes/route-context.ts';
import { RecordingPublisher } from './recording-publisher.ts';

/** An app with a recording publisher and in-memory stores: no network, driven with `inject`. */
export async function testApp(
  overrides: Partial<AppDeps> = {},
): Promise<{ app: IntakeApp; publisher: RecordingPublisher }> {
  const publisher = new RecordingPublisher();
  const app = await buildApp({
    logger: pino({ level: 'silent' }),
    publisher,
    idempotencyStore: new MemoryIdempotencyStore({ ttlMs: 60_000, inFlightTtlMs: 5_000, maxEntries: 100 }),
    rateLimit: { max: 1000, windowMs: 60_000 },
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
