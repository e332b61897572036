import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

/**
 * The SCRAM-SHA-256 verifier of a password, as PostgreSQL stores it (RFC 7677, 4096 iterations like
 * libpq's `PQencryptPasswordConn`). `ALTER ROLE … PASSWORD '<verifier>'` stores it as is, so the
 * password itself never reaches the server, its logs (`log_statement`) or `pg_stat_activity`.
 */
export function scramVerifier(password: string, iterations = 4096, salt = randomBytes(16)): string {
  const salted = pbkdf2Sync(password.normalize('NFKC'), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/** A password for a generated role: 32 random bytes, URL-safe (fits a DATABASE_URL unescaped). */
export const generatePassword = () => randomBytes(32).toString('base64url');
