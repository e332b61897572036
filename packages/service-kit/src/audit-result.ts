/**
 * How an audited operation ended: done, refused until the operator acts, malformed, failed, or not
 * allowed. One vocabulary for every audit (the processors' `fleet.audit`, the console's own).
 */
export type AuditResult = 'pending' | 'ok' | 'refused' | 'invalid' | 'failed' | 'denied';

/** The result an HTTP status stands for. */
export function auditResultOf(status: number): AuditResult {
  if (status < 300) return 'ok';
  if (status === 401 || status === 403) return 'denied';
  if (status === 409) return 'refused';
  if (status < 500) return 'invalid';
  return 'failed';
}
