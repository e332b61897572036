import { Writable } from 'node:stream';
import { FleetError } from '@fleet/errors';
import Fastify from 'fastify';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseRequest } from './field-issues.ts';
import { installErrorHandler } from './install-error-handler.ts';

/** A real Fastify app with the shared handler, its log lines kept. */
async function appWithLog() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  const app = Fastify({ loggerInstance: pino({ level: 'info' }, stream), bodyLimit: 100 });
  const replies: string[] = [];
  installErrorHandler(app, { onErrorReply: (_req, reply) => replies.push(reply.body.error.code) });
  app.get('/secret', async () => {
    throw new Error('password authentication failed for user "fleet" at 10.0.0.7');
  });
  app.get('/refused', async () => {
    throw new FleetError('REPLAY_PARTIAL', 'records were deleted', { details: { start: 'earliest' } });
  });
  app.get('/busy', async () => {
    throw new FleetError('RATE_LIMITED', 'slow down', { details: { retryAfterSeconds: 7 } });
  });
  app.get('/sales', async (req) =>
    parseRequest(z.strictObject({ from: z.iso.date() }), req.query, 'querystring'),
  );
  app.post(
    '/orders',
    {
      schema: {
        body: {
          type: 'object',
          required: ['customerId', 'lines'],
          properties: { customerId: { type: 'string' }, lines: { type: 'array', minItems: 1 } },
        },
      },
    },
    async () => ({ ok: true }),
  );
  app.register(
    async (scope) => {
      scope.get('/thing', async () => {
        throw new TypeError("Cannot read properties of undefined (reading 'id')");
      });
    },
    { prefix: '/scoped' },
  );
  await app.ready();
  return { app, lines, replies };
}

describe('installErrorHandler', () => {
  it('answers a FleetError with its catalogue status, code, message and details', async () => {
    const { app, replies } = await appWithLog();
    const res = await app.inject({ method: 'GET', url: '/refused' });
    expect(res.statusCode).toBe(409);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.json()).toEqual({
      error: { code: 'REPLAY_PARTIAL', message: 'records were deleted', details: { start: 'earliest' } },
    });
    expect(replies).toEqual(['REPLAY_PARTIAL']);
  });

  it('sends Retry-After when the details say when to retry', async () => {
    const { app } = await appWithLog();
    const res = await app.inject({ method: 'GET', url: '/busy' });
    expect([res.statusCode, res.headers['retry-after']]).toEqual([429, '7']);
    expect(res.json().error.details).toEqual({ retryAfterSeconds: 7 });
  });

  it('answers a request that fails its schema with 400 and every failing field', async () => {
    const { app } = await appWithLog();
    const res = await app.inject({ method: 'POST', url: '/orders', payload: { lines: [] } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_FAILED');
    expect(res.json().error.details).toEqual([{ path: 'body.customerId', message: 'is required' }]);
    const query = await app.inject({ method: 'GET', url: '/sales?from=yesterday&colour=red' });
    expect(query.statusCode).toBe(400);
    expect(query.json()).toEqual({
      error: {
        code: 'VALIDATION_FAILED',
        message: expect.stringMatching(/^invalid querystring: from: .*; colour: unknown field$/),
        details: [
          { path: 'querystring.from', message: expect.any(String) },
          { path: 'querystring.colour', message: 'unknown field' },
        ],
      },
    });
  });

  it('answers an unknown route with 404 NOT_FOUND in the same shape', async () => {
    const { app } = await appWithLog();
    const res = await app.inject({ method: 'GET', url: '/nowhere?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'No route GET /nowhere?x=1.' } });
  });

  it('answers an unexpected error with 500 "internal error" and keeps what happened for the log', async () => {
    const { app, lines } = await appWithLog();
    for (const url of ['/secret', '/scoped/thing']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual({ error: { code: 'INTERNAL', message: 'internal error' } });
      expect(res.body).not.toMatch(/password|10\.0\.0\.7|Cannot read|stack/);
    }
    const logged = lines.filter((l) => l.msg === 'request failed');
    expect(logged.map((l) => (l.err as { message: string }).message)).toEqual([
      'password authentication failed for user "fleet" at 10.0.0.7',
      "Cannot read properties of undefined (reading 'id')",
    ]);
    expect(logged.every((l) => l.level === 50 && typeof l.reqId === 'string')).toBe(true);
  });

  it('answers bodies Fastify cannot read with INVALID_JSON, PAYLOAD_TOO_LARGE and UNSUPPORTED_MEDIA_TYPE', async () => {
    const { app } = await appWithLog();
    const post = (payload: string, type = 'application/json') =>
      app.inject({ method: 'POST', url: '/orders', payload, headers: { 'content-type': type } });
    const broken = await post('{"customerId": ');
    expect([broken.statusCode, broken.json().error.code]).toEqual([400, 'INVALID_JSON']);
    const empty = await post('');
    expect([empty.statusCode, empty.json().error.code]).toEqual([400, 'INVALID_JSON']);
    const large = await post(JSON.stringify({ customerId: 'x'.repeat(200), lines: [1] }));
    expect([large.statusCode, large.json().error.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    const xml = await post('<order/>', 'application/xml');
    expect([xml.statusCode, xml.json().error.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
  });
});
