// Errors worth retrying as they are: the same work will likely succeed a moment later.
// Everything else is permanent for the record at hand (a bug, bad data) and goes to the DLQ.

const transientPgCodes = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available
  '57P01', // admin_shutdown (backend terminated)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
]);

const transientNodeCodes = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

export function isTransientError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (transientPgCodes.has(code) || code.startsWith('08')) return true; // 08xxx: connection exceptions
    if (transientNodeCodes.has(code)) return true;
  }
  // kafkajs marks what its own retrier would retry; pg reports a lost connection by message only.
  if ((error as { retriable?: unknown }).retriable === true) return true;
  if (
    /Connection terminated|connection .*closed|Client has encountered a connection error/i.test(error.message)
  )
    return true;
  return error.cause !== undefined && error.cause !== error && isTransientError(error.cause);
}

/** Transactions that lost a lock race (deadlock, serialization failure): smaller ones will not. */
export function isLockConflict(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001' || code === '55P03';
}
