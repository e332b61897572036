import { randomUUID } from 'node:crypto';
import { HttpError } from '../http-error.ts';
import type { IdempotencyStore, StoredResponse } from './idempotency-store.ts';

export interface IdempotentCall {
  /** The store key (already scoped to the client and route). */
  key: string;
  fingerprint: string;
}

export interface IdempotentResult {
  response: StoredResponse;
  /** True when the response was answered from the store and nothing was executed. */
  replayed: boolean;
}

/**
 * Executes `work` once per key: a completed key with the same fingerprint replays its stored
 * response; a different fingerprint is IDEMPOTENCY_KEY_REUSED (409); a key whose first request is
 * still executing is IDEMPOTENCY_KEY_IN_PROGRESS (409, retry shortly). A failed `work` frees the key.
 */
export async function runIdempotent(
  store: IdempotencyStore,
  call: IdempotentCall,
  work: () => Promise<StoredResponse>,
  onStoreError: (error: unknown) => void = () => {},
): Promise<IdempotentResult> {
  const token = randomUUID();
  const existing = await store.reserve(call.key, call.fingerprint, token).catch((error: unknown) => {
    throw new HttpError(
      'UNAVAILABLE',
      'The idempotency store is unavailable; nothing was published. Retry with the same Idempotency-Key.',
      { retryAfterSeconds: 1, cause: error },
    );
  });
  if (existing) {
    if (existing.fingerprint !== call.fingerprint)
      throw new HttpError(
        'IDEMPOTENCY_KEY_REUSED',
        'This Idempotency-Key was already used for a different request. Use a new key for a new request.',
      );
    if (existing.state === 'in-flight')
      throw new HttpError(
        'IDEMPOTENCY_KEY_IN_PROGRESS',
        'A request with this Idempotency-Key is still being processed. Retry after Retry-After seconds.',
        { retryAfterSeconds: 1 },
      );
    return { response: existing.response, replayed: true };
  }
  let response: StoredResponse;
  try {
    response = await work();
  } catch (error) {
    await store.release(call.key, token).catch(onStoreError);
    throw error;
  }
  // The work is done (the event is on Kafka): failing to remember it must not fail the request.
  // A retry then executes again and publishes with the same deterministic event ID.
  await store.complete(call.key, call.fingerprint, response).catch(onStoreError);
  return { response, replayed: false };
}
