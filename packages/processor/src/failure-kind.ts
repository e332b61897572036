// How a failure is classified decides what happens to the work that failed:
// - transient: the same work will likely succeed a moment later (connection lost, deadlock, broker
//   unavailable): retried in place, however long it takes, nothing skipped;
// - permanent: the same record will fail the same way (bad data, a constraint, a value no column can
//   hold): the record goes to the dead-letter topic at once;
// - unknown: anything else (an application error): retried up to the route's attempts, then
//   dead-lettered.
// Classification reads codes (PostgreSQL SQLSTATE classes, Node system error codes, kafkajs'
// `retriable` flag, our own error classes), never messages. A driver error that carries no code
// (pg's "Connection terminated") is `unknown`; the sub-batch processor then tells a broken database
// from a bad record by whether the database still answers (see `sub-batch-processor.ts`).

import { FleetError } from '@fleet/errors';

export type FailureKind = 'transient' | 'permanent' | 'unknown';

/**
 * Thrown by a handler (or anything) to say: retrying this work as it is will not help. Its
 * `failureKind` decides that (code PERMANENT_FAILURE; dead-lettered as HANDLER_FAILED, class PermanentError).
 */
export class PermanentError extends FleetError {
  readonly failureKind = 'permanent';
  constructor(message: string, options?: ErrorOptions) {
    super('PERMANENT_FAILURE', message, options);
  }
}

/** Thrown by a handler to say: this is a passing condition, retry in place until it clears (RETRYABLE_FAILURE). */
export class RetryableError extends FleetError {
  readonly failureKind = 'transient';
  constructor(message: string, options?: ErrorOptions) {
    super('RETRYABLE_FAILURE', message, options);
  }
}

// SQLSTATE classes (first two characters) and single codes.
const transientSqlClasses = new Set([
  '08', // connection exception
  '40', // transaction rollback: serialization failure, deadlock
  '53', // insufficient resources: too many connections, out of memory, disk full
  '57', // operator intervention: admin/crash shutdown, cannot connect now, query canceled
  '58', // system error (I/O)
]);
const transientSqlCodes = new Set(['55P03', '55006']); // lock not available, object in use
const permanentSqlClasses = new Set([
  '0A', // feature not supported
  '21', // cardinality violation
  '22', // data exception: invalid encoding (NUL), value too long, out of range, bad format
  '23', // integrity constraint violation
  '42', // syntax error or access rule violation
  '54', // program limit exceeded: index row too large, too many columns
]);

const sqlState = /^[0-9A-Z]{5}$/;

const kafkajsWrappers = new Set(['KafkaJSNumberOfRetriesExceeded', 'KafkaJSNonRetriableError']);

export function failureKind(error: unknown): FailureKind {
  if (!(error instanceof Error)) return 'unknown';
  const declared = (error as { failureKind?: unknown }).failureKind;
  if (declared === 'transient' || declared === 'permanent') return declared;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (sqlState.test(code) && 'severity' in error) {
      // A PostgreSQL server error (pg's DatabaseError carries `severity`).
      // A statement timeout (57014) may be the record's own doing (a pathological query): attempts decide.
      if (code === '57014') return 'unknown';
      if (transientSqlCodes.has(code) || transientSqlClasses.has(code.slice(0, 2))) return 'transient';
      if (permanentSqlClasses.has(code.slice(0, 2))) return 'permanent';
      return 'unknown';
    }
    // A Node system error (socket, DNS): the peer is away, not the record's fault.
    if ('syscall' in error || 'errno' in error) return 'transient';
  }
  if (error.name === 'TimeoutError') return 'transient'; // AbortSignal.timeout
  // kafkajs says itself whether its own retrier would retry an error.
  const retriable = (error as { retriable?: unknown }).retriable;
  if (retriable === true) return 'transient';
  // kafkajs' retrier wraps what it gave up on, as not retriable (KafkaJSNumberOfRetriesExceeded, and
  // an outer retrier wraps that again in KafkaJSNonRetriableError), keeping the original as `cause`: a
  // broker down longer than its retries is still passing for us, who retry in place without a limit.
  // What was given up on decides, not the wrapper.
  if (kafkajsWrappers.has(error.name) && error.cause instanceof Error && error.cause !== error)
    return failureKind(error.cause);
  if (retriable === false && error.name.startsWith('KafkaJS')) return 'permanent';
  // Wrapped errors (fetch's "fetch failed", ours with `cause`) are what their cause is.
  if (error.cause instanceof Error && error.cause !== error) {
    const cause = failureKind(error.cause);
    if (cause === 'transient') return cause;
  }
  return 'unknown';
}

export const isTransientError = (error: unknown): boolean => failureKind(error) === 'transient';

/** Transactions that lost a lock race (deadlock, serialization failure): smaller ones will not. */
export function isLockConflict(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001' || code === '55P03';
}
