import { hostname, userInfo } from 'node:os';

/** Who asked, as recorded in fleet.controls.requested_by. */
export function requestedBy(env: Record<string, string | undefined>): string {
  let user = env.USER ?? env.LOGNAME;
  try {
    user ??= userInfo().username;
  } catch {
    user ??= 'unknown';
  }
  return `fleet-cli:${user}@${hostname()}`;
}
