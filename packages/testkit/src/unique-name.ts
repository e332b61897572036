import { randomBytes } from 'node:crypto';

/** A name no other test (or earlier run) uses: isolates topics, groups, subjects and databases. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`.replace(
    /[^a-zA-Z0-9_.-]/g,
    '_',
  );
}
