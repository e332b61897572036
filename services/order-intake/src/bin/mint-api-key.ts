#!/usr/bin/env node
// Mints an API key for one client: prints the key (hand it to the client, once) and the line for the
// intake's key store (INTAKE_API_KEYS_FILE or INTAKE_API_KEYS), which holds only the key's hash.
import { parseArgs } from 'node:util';
import { hashApiKey, newApiKey } from '../auth/api-key.ts';
import { clientIdPattern, parseLimit } from '../auth/api-key-entries.ts';

const usage = `usage: mint-api-key <client-id> [<requests>/<window>]

  client-id   who the key belongs to (1-64 of A-Z a-z 0-9 . _ -); a second key for the same
              client (rotation) shares its identity, orders and budget
  limit       this client's budget, e.g. 600/1m (default: INTAKE_RATE_LIMIT_MAX per INTAKE_RATE_LIMIT_WINDOW)

Prints the key on stdout's first line and the key-store line on the second.`;

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { help: { type: 'boolean', short: 'h' } },
});
if (values.help) {
  console.log(usage);
  process.exit(0);
}
const [clientId, limit, ...extra] = positionals;
if (!clientId || extra.length > 0) {
  console.error(usage);
  process.exit(2);
}
const limitProblem = limit === undefined ? undefined : parseLimit(limit);
if (!clientIdPattern.test(clientId) || typeof limitProblem === 'string') {
  if (!clientIdPattern.test(clientId))
    console.error(`mint-api-key: client ID "${clientId}" must be 1-64 of A-Z a-z 0-9 . _ -`);
  if (typeof limitProblem === 'string') console.error(`mint-api-key: ${limitProblem}`);
  process.exit(2);
}
const key = newApiKey();
const line = [clientId, hashApiKey(key), ...(limit ? [limit] : [])].join(' ');
console.log(`key:  ${key}`);
console.log(`line: ${line}`);
console.error(
  'Give the key to the client over a secure channel and keep no copy; add the line to INTAKE_API_KEYS_FILE (or INTAKE_API_KEYS) and restart the intake.',
);
