import { createHash, randomBytes } from 'node:crypto';

/**
 * API keys are 32 random bytes (256 bits), so a plain SHA-256 of the key is what the key store holds:
 * nobody can search that space, and a slow password hash (scrypt, argon2) would only add tens of
 * milliseconds of CPU to every request. The prefix makes a leaked key easy to recognise and scan for.
 */
export const apiKeyPrefix = 'oik_';

/** `sha256:<64 hex>`: how a key appears in the key store. */
export function hashApiKey(key: string): string {
  return `sha256:${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}

/** A new key: `oik_` + 43 base64url characters of randomness. */
export function newApiKey(): string {
  return `${apiKeyPrefix}${randomBytes(32).toString('base64url')}`;
}
