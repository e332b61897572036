import { describe, expect, it } from 'vitest';
import { MemoryIdempotencyStore } from './memory-idempotency-store.ts';
import { canonicalJson, requestFingerprint } from './request-fingerprint.ts';
import { runIdempotent } from './run-idempotent.ts';

const store = () => new MemoryIdempotencyStore({ ttlMs: 60_000, inFlightTtlMs: 5_000, maxEntries: 3 });
const ok = (body: unknown) => async () => ({ statusCode: 202, body });

describe('runIdempotent', () => {
  it('executes once and replays the stored response for the same fingerprint', async () => {
    const s = store();
    let runs = 0;
    const work = async () => ({ statusCode: 202, body: { n: ++runs } });
    const first = await runIdempotent(s, { key: 'k', fingerprint: 'f' }, work);
    const second = await runIdempotent(s, { key: 'k', fingerprint: 'f' }, work);
    expect(first).toEqual({ response: { statusCode: 202, body: { n: 1 } }, replayed: false });
    expect(second).toEqual({ response: { statusCode: 202, body: { n: 1 } }, replayed: true });
    expect(runs).toBe(1);
  });

  it('refuses the same key with another fingerprint (409 IDEMPOTENCY_KEY_REUSED)', async () => {
    const s = store();
    await runIdempotent(s, { key: 'k', fingerprint: 'f' }, ok(1));
    await expect(runIdempotent(s, { key: 'k', fingerprint: 'g' }, ok(2))).rejects.toMatchObject({
      httpStatus: 409,
      code: 'IDEMPOTENCY_KEY_REUSED',
    });
  });

  it('answers IDEMPOTENCY_KEY_IN_PROGRESS while the first request still runs', async () => {
    const s = store();
    let finish: () => void = () => {};
    const slow = runIdempotent(s, { key: 'k', fingerprint: 'f' }, async () => {
      await new Promise<void>((r) => {
        finish = r;
      });
      return { statusCode: 202, body: 'first' };
    });
    await expect(runIdempotent(s, { key: 'k', fingerprint: 'f' }, ok('second'))).rejects.toMatchObject({
      httpStatus: 409,
      code: 'IDEMPOTENCY_KEY_IN_PROGRESS',
      details: { retryAfterSeconds: 1 },
    });
    finish();
    expect((await slow).response.body).toBe('first');
  });

  it('frees the key when the work fails, so a retry executes', async () => {
    const s = store();
    const failing = async () => {
      throw new Error('kafka down');
    };
    await expect(runIdempotent(s, { key: 'k', fingerprint: 'f' }, failing)).rejects.toThrow('kafka down');
    expect(await runIdempotent(s, { key: 'k', fingerprint: 'f' }, ok('retried'))).toMatchObject({
      replayed: false,
    });
  });

  it('maps a failing store to 503 UNAVAILABLE without executing', async () => {
    const s = store();
    s.reserve = async () => {
      throw new Error('redis down');
    };
    let ran = false;
    await expect(
      runIdempotent(s, { key: 'k', fingerprint: 'f' }, async () => {
        ran = true;
        return { statusCode: 202, body: null };
      }),
    ).rejects.toMatchObject({ httpStatus: 503, code: 'UNAVAILABLE' });
    expect(ran).toBe(false);
  });

  it('still answers when remembering the response fails, and reports it', async () => {
    const s = store();
    s.complete = async () => {
      throw new Error('redis down');
    };
    const reported: unknown[] = [];
    const result = await runIdempotent(s, { key: 'k', fingerprint: 'f' }, ok('done'), (e) =>
      reported.push(e),
    );
    expect(result.response.body).toBe('done');
    expect(reported).toHaveLength(1);
  });
});

describe('MemoryIdempotencyStore', () => {
  it('is bounded: the least recently used key is evicted', async () => {
    const s = store();
    for (const k of ['a', 'b', 'c', 'd']) await runIdempotent(s, { key: k, fingerprint: 'f' }, ok(k));
    expect(s.size).toBe(3);
    expect((await runIdempotent(s, { key: 'a', fingerprint: 'f' }, ok('again'))).replayed).toBe(false);
  });

  it('lets a reservation expire after the in-flight TTL', async () => {
    const s = new MemoryIdempotencyStore({ ttlMs: 60_000, inFlightTtlMs: 20, maxEntries: 10 });
    expect(await s.reserve('k', 'f', 't1')).toBeUndefined();
    expect(await s.reserve('k', 'f', 't2')).toMatchObject({ state: 'in-flight', token: 't1' });
    await new Promise((r) => setTimeout(r, 40));
    expect(await s.reserve('k', 'f', 't3')).toBeUndefined();
  });

  it('releases only the reservation of the same token', async () => {
    const s = store();
    await s.reserve('k', 'f', 't1');
    await s.release('k', 'other');
    expect(await s.reserve('k', 'f', 't2')).toMatchObject({ token: 't1' });
    await s.release('k', 't1');
    expect(await s.reserve('k', 'f', 't2')).toBeUndefined();
  });
});

describe('requestFingerprint', () => {
  it('ignores key order but not values', () => {
    expect(canonicalJson({ b: 1, a: [{ y: 2, x: 1 }] })).toBe('{"a":[{"x":1,"y":2}],"b":1}');
    expect(requestFingerprint({ a: 1, b: 2 })).toBe(requestFingerprint({ b: 2, a: 1 }));
    expect(requestFingerprint({ a: 1 })).not.toBe(requestFingerprint({ a: 2 }));
  });
});
