/** The response a completed request answered, replayed verbatim for the same key and body. */
export interface StoredResponse {
  statusCode: number;
  body: unknown;
}

/** What a key holds: a request being executed now, or the answer of a finished one. */
export type IdempotencyRecord =
  | { state: 'in-flight'; fingerprint: string; token: string }
  | { state: 'completed'; fingerprint: string; response: StoredResponse };

/**
 * Key → request fingerprint + response. `reserve` is atomic (SET NX semantics), so of two concurrent
 * requests with one key exactly one executes. Reservations expire after the in-flight TTL (a crashed
 * replica does not hold a key forever); completed records after the record TTL.
 */
export interface IdempotencyStore {
  /** Reserves a free key and resolves to undefined; or resolves to the record already there. */
  reserve(key: string, fingerprint: string, token: string): Promise<IdempotencyRecord | undefined>;
  /** Records the response of the request that reserved the key. */
  complete(key: string, fingerprint: string, response: StoredResponse): Promise<void>;
  /** Frees a reservation this token holds (the request failed, so a retry may execute it). */
  release(key: string, token: string): Promise<void>;
  /** Resolves when the store answers (readiness). */
  ping(): Promise<void>;
}

export interface IdempotencyTtls {
  /** How long a completed response is replayed. */
  ttlMs: number;
  /** How long a reservation lasts if its request never completes or releases it. */
  inFlightTtlMs: number;
}
