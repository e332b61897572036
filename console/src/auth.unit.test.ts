import { describe, expect, it } from 'vitest';
import { Auth, cleanActor, parseCookies, SESSION_COOKIE, sessionCookie } from './auth.ts';

const shared = 'shared-write-token-0123456789';
const personal = 'alice-write-token-0123456789';
const reader = 'read-token-01234567890123456';

const auth = (now = () => 1_000) =>
  new Auth(
    [
      { role: 'write', token: shared, name: undefined },
      { role: 'write', token: personal, name: 'alice' },
      { role: 'read', token: reader, name: undefined },
    ],
    { sessionHours: 1, now },
  );

describe('console tokens and sessions', () => {
  it('maps a token to its role and names who holds it', () => {
    const a = auth();
    expect(a.principalOf(personal, 'mallory')).toEqual({
      role: 'write',
      actor: 'alice',
      via: 'token of alice',
      selfDeclared: false,
    });
    expect(a.principalOf(shared, '  Bob\u0007 ')).toMatchObject({
      role: 'write',
      actor: 'Bob',
      selfDeclared: true,
    });
    expect(a.principalOf(reader)).toMatchObject({
      role: 'read',
      actor: 'anonymous',
      via: 'shared read token',
    });
    expect(a.principalOf('nope')).toBeUndefined();
    expect(a.principalOf(`${personal}x`)).toBeUndefined();
  });

  it('opens sessions that expire, and reads a request by cookie or bearer token', () => {
    let now = 1_000;
    const a = auth(() => now);
    const session = a.signIn(reader, 'carol');
    if (!session) throw new Error('no session');
    const cookie = `other=1; ${SESSION_COOKIE}=${session.id}`;
    expect(a.fromHeaders({ cookie })).toMatchObject({ role: 'read', actor: 'carol' });
    expect(a.fromHeaders({ authorization: `Bearer ${personal}` })).toMatchObject({ actor: 'alice' });
    expect(a.fromHeaders({ authorization: `Bearer ${shared}`, 'x-fleet-operator': 'dave' })).toMatchObject({
      actor: 'dave',
    });
    expect(a.fromHeaders({ authorization: 'Bearer wrong' })).toBeUndefined();
    now += 3_600_001;
    expect(a.fromHeaders({ cookie })).toBeUndefined();
    expect(a.signIn('wrong')).toBeUndefined();
  });

  it('signs out', () => {
    const a = auth();
    const s = a.signIn(shared, 'x');
    a.signOut(s?.id);
    expect(a.session(s?.id)).toBeUndefined();
  });

  it('writes an HttpOnly, SameSite=Strict cookie and parses cookie headers', () => {
    const c = sessionCookie('abc', { maxAgeSeconds: 60, secure: true });
    expect(c).toContain('HttpOnly');
    expect(c).toContain('SameSite=Strict');
    expect(c).toContain('Secure');
    expect(parseCookies('a=1; b=%20x; bad; =y')).toEqual({ a: '1', b: ' x' });
    expect(cleanActor('a'.repeat(200))?.length).toBe(80);
    expect(cleanActor('\u0000\u0001')).toBeUndefined();
  });
});
