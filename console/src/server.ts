import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FleetError } from '@fleet/errors';
import { installErrorHandler, parseRequest } from '@fleet/service-kit';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import { ConsoleError } from './admin-client.ts';
import type { AuditLog } from './audit-log.ts';
import {
  type Auth,
  clearedSessionCookie,
  type Principal,
  SESSION_COOKIE,
  sessionCookie,
  sessionIdOf,
} from './auth.ts';
import type { FleetCollector, Tick } from './collector.ts';
import type { ActionOutcome, ConsoleOperations, RequestMeta } from './operations.ts';

export interface ServerParts {
  auth: Auth;
  operations: ConsoleOperations;
  collector: FleetCollector;
  audit: AuditLog;
  logger: Logger;
  sessionHours: number;
  secureCookie: boolean;
  /** Where the browser files are; defaults to ../web next to this file. */
  webDir?: string;
}

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** Files served as they are: the console's own (web/) and uPlot's build from its npm package. */
function staticFiles(webDir: string): Map<string, { path: string; type: string }> {
  const files = new Map<string, { path: string; type: string }>();
  const walk = (dir: string, prefix: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.') || entry.name.startsWith('tsconfig')) continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full, `${prefix}${entry.name}/`);
      else if (types[extname(entry.name)])
        files.set(`/app/${prefix}${entry.name}`, { path: full, type: types[extname(entry.name)] as string });
    }
  };
  walk(webDir, '');
  const require = createRequire(import.meta.url);
  for (const name of ['uPlot.iife.min.js', 'uPlot.min.css'])
    files.set(`/vendor/${name}`, {
      path: require.resolve(`uplot/dist/${name}`),
      type: types[extname(name)] as string,
    });
  return files;
}

const securityHeaders = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

const isoTime = z.iso.datetime({ offset: true });
const group = z.object({ group: z.string().min(1).max(300) });
const position = z.object({ partition: z.int().min(0), offset: z.int().min(0) });
const start = z.union([z.literal('earliest'), isoTime]);

const schemas = {
  signIn: z.strictObject({ token: z.string().min(1).max(1_000), operator: z.string().max(200).optional() }),
  dlqQuery: z.strictObject({
    processor: z.union([z.string().min(1), z.array(z.string().min(1))]).optional(),
    errorCode: z.string().min(1).max(200).optional(),
    since: isoTime.optional(),
    until: isoTime.optional(),
    limit: z.coerce.number().int().min(1).max(5_000).default(200),
  }),
  dlqPosition: group.extend({
    partition: z.coerce.number().int().min(0),
    offset: z.coerce.number().int().min(0),
  }),
  redrive: z
    .strictObject({
      all: z.literal(true).optional(),
      positions: z.array(position).min(1).max(10_000).optional(),
      errorCode: z.string().min(1).optional(),
      since: isoTime.optional(),
    })
    .refine((b) => Boolean(b.all) !== Boolean(b.positions), {
      message: 'give either "all": true or "positions"',
    }),
  purge: z.strictObject({ confirm: z.string().max(300).optional() }),
  replay: z
    .strictObject({
      from: start.optional(),
      toOffsets: z
        .array(position.extend({ topic: z.string().min(1).optional() }))
        .min(1)
        .optional(),
      acceptPartial: z.boolean().optional(),
    })
    .refine((b) => (b.from === undefined) !== (b.toOffsets === undefined), {
      message: 'give either "from" (earliest or a time) or "toOffsets"',
    }),
  rebuild: z.strictObject({ from: start.default('earliest'), acceptPartial: z.boolean().default(false) }),
  rebuildPlan: z.strictObject({ from: start.default('earliest') }),
  audit: z.strictObject({
    limit: z.coerce.number().int().min(1).max(1_000).default(100),
    before: z.coerce.number().int().min(1).optional(),
    processor: z.string().min(1).optional(),
    actor: z.string().min(1).optional(),
    action: z.string().min(1).optional(),
    source: z.enum(['console', 'admin-api', 'cli']).optional(),
  }),
};

/** A part of the request that fails its schema is a 400 BAD_REQUEST naming every wrong field. */
const parse = <S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> =>
  parseRequest(schema, value ?? {}, where, 'BAD_REQUEST');

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/**
 * The console's HTTP server: the browser files, a JSON API under /api (every route but sign-in
 * needs a session or a bearer token), and /api/stream, the server-sent events that keep every
 * page live (a snapshot of the fleet at each reading, and each audit record as it is written).
 */
export function createServer(parts: ServerParts): FastifyInstance {
  const { auth, operations: ops, collector, audit } = parts;
  const app = Fastify({
    loggerInstance: parts.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1_048_576,
    trustProxy: false,
  });
  const files = staticFiles(parts.webDir ?? fileURLToPath(new URL('../web', import.meta.url)));
  const streams = new Map<string, Set<FastifyReply>>();

  app.addHook('onSend', async (_req, reply) => {
    for (const [k, v] of Object.entries(securityHeaders)) reply.header(k, v);
  });

  // The fleet's error answers (docs/errors.md): ours with their code's status, a request that fails
  // its schema 400, unknown routes 404, anything else 500 "internal error" with the detail logged.
  installErrorHandler(app);

  app.get('/healthz', async () => ({ status: 'ok' }));
  const index = files.get('/app/index.html');
  app.get('/', async (_req, reply) =>
    reply.type('text/html; charset=utf-8').send(readFileSync(index?.path ?? '')),
  );
  app.get('/app/*', async (req, reply) => serveFile(req, reply));
  app.get('/vendor/*', async (req, reply) => serveFile(req, reply));
  const serveFile = (req: FastifyRequest, reply: FastifyReply) => {
    const file = files.get(req.url.split('?')[0] ?? '');
    if (!file) throw new FleetError('NOT_FOUND', 'no such file');
    return reply.type(file.type).header('cache-control', 'no-cache').send(readFileSync(file.path));
  };

  app.register(
    async (api) => {
      api.addHook('onRequest', async (req) => {
        const unsafe = req.method !== 'GET' && req.method !== 'HEAD';
        if (unsafe && !req.headers.authorization) {
          // A cookie rides along with any request to this origin: only same-origin scripts may write.
          const origin = req.headers.origin;
          if (origin && origin !== `http://${req.headers.host}` && origin !== `https://${req.headers.host}`)
            throw new ConsoleError('CROSS_ORIGIN', 'requests from another origin are refused');
          if (!String(req.headers['content-type'] ?? '').startsWith('application/json'))
            throw new ConsoleError('JSON_REQUIRED', 'send JSON (content-type: application/json)');
        }
        if (req.url === '/api/session' && req.method === 'POST') return;
        const principal = auth.fromHeaders(req.headers);
        if (!principal)
          throw new ConsoleError('UNAUTHORIZED', 'sign in with a console token (read or write)');
        req.principal = principal;
      });

      api.post('/session', async (req, reply) => {
        const { token, operator } = parse(schemas.signIn, req.body, 'body');
        const session = auth.signIn(token, operator);
        if (!session) throw new ConsoleError('UNAUTHORIZED', 'not a console token');
        return reply
          .header(
            'set-cookie',
            sessionCookie(session.id, {
              maxAgeSeconds: parts.sessionHours * 3600,
              secure: parts.secureCookie,
            }),
          )
          .send({ principal: session.principal });
      });
      api.get('/session', async (req) => ({ principal: req.principal }));
      api.delete('/session', async (req, reply) => {
        const id = sessionIdOf(req.headers);
        auth.signOut(id);
        for (const stream of (id && streams.get(id)) || []) stream.raw.end();
        return reply.header('set-cookie', clearedSessionCookie).send({ signedOut: true });
      });

      api.get('/fleet', async () => {
        if (!collector.snapshot) await collector.refresh();
        return { snapshot: collector.snapshot, history: collector.history() };
      });

      api.get('/stream', (req, reply) => {
        const sessionId = sessionIdOf(req.headers) ?? `bearer:${Math.random()}`;
        reply.hijack();
        const raw = reply.raw;
        raw.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache, no-transform',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
          ...securityHeaders,
        });
        const send = (event: string, data: unknown) =>
          raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
        raw.write(`retry: 2000\n\n`);
        send('hello', {
          principal: req.principal,
          snapshot: collector.snapshot ?? null,
          history: collector.history(),
        });
        const stillSignedIn = () =>
          !sessionId.startsWith('bearer:') ? auth.session(sessionId) !== undefined : true;
        const offTick = collector.subscribe((tick: Tick) => {
          if (!stillSignedIn()) return raw.end();
          send('tick', tick);
        });
        const offAudit = audit.onChange((entry) => send('audit', entry));
        const ping = setInterval(() => raw.write(': ping\n\n'), 15_000);
        const set = streams.get(sessionId) ?? new Set();
        set.add(reply);
        streams.set(sessionId, set);
        raw.on('close', () => {
          offTick();
          offAudit();
          clearInterval(ping);
          set.delete(reply);
          if (set.size === 0) streams.delete(sessionId);
        });
      });

      api.get('/processors/:group', async (req) => {
        const { group: g } = parse(group, req.params, 'params');
        return ops.processorDetail(g);
      });

      // Reads that go through POST because the admin API plans with a body; they change nothing.
      api.post('/processors/:group/replay/plan', async (req, reply) => {
        const { group: g } = parse(group, req.params, 'params');
        return answer(reply, await ops.replayPlan(g, parse(schemas.replay, req.body, 'body')));
      });
      api.post('/processors/:group/rebuild/plan', async (req, reply) => {
        const { group: g } = parse(group, req.params, 'params');
        return answer(reply, await ops.replayPlan(g, parse(schemas.rebuildPlan, req.body, 'body')));
      });

      const meta = (req: FastifyRequest): RequestMeta => ({
        principal: req.principal as Principal,
        client: `${req.ip} ${String(req.headers['user-agent'] ?? '').slice(0, 120)}`.trim(),
      });
      /** A write route: parsed, then run through the audited, role-checked path. */
      const write = <B>(
        path: string,
        method: 'POST' | 'DELETE',
        action: string,
        body: z.ZodType<B> | undefined,
        run: (groupId: string, body: B, req: FastifyRequest) => Promise<ActionOutcome>,
      ) =>
        api.route({
          method,
          url: path,
          handler: async (req, reply) => {
            const { group: g } = parse(group, req.params, 'params');
            const parsed = body ? parse(body, req.body, 'body') : (undefined as B);
            return answer(
              reply,
              await ops.write(meta(req), action, g, parsed ?? {}, () => run(g, parsed, req)),
            );
          },
        });

      write('/processors/:group/pause', 'POST', 'pause', undefined, (g) => ops.pause(g, true));
      write('/processors/:group/resume', 'POST', 'resume', undefined, (g) => ops.pause(g, false));
      write('/processors/:group/replay', 'POST', 'replay', schemas.replay, (g, b) => ops.replay(g, b));
      write('/processors/:group/rebuild', 'POST', 'rebuild', schemas.rebuild, (g, b) => ops.rebuild(g, b));
      write('/processors/:group/rebuild', 'DELETE', 'rebuild-abort', undefined, (g) => ops.abortRebuild(g));
      write('/processors/:group/rebuild/rollback', 'POST', 'rebuild-rollback', undefined, (g) =>
        ops.rollback(g),
      );
      write('/processors/:group/rebuild/finalize', 'POST', 'rebuild-finalize', undefined, (g) =>
        ops.finalize(g),
      );
      write('/dlq/:group/redrive', 'POST', 'dlq-redrive', schemas.redrive, (g, b) => ops.redrive(g, b));
      write('/dlq/:group/purge', 'POST', 'dlq-purge', schemas.purge, (g, b) => ops.purge(g, b.confirm));

      api.get('/dlq', async (req) => {
        const q = parse(schemas.dlqQuery, req.query, 'querystring');
        return ops.deadLetters({
          processors: q.processor === undefined ? [] : [q.processor].flat(),
          errorCode: q.errorCode,
          since: q.since ? Date.parse(q.since) : undefined,
          until: q.until ? Date.parse(q.until) : undefined,
          limit: q.limit,
        });
      });
      api.get('/dlq/:group/:partition/:offset', async (req) => {
        const { group: g, partition, offset } = parse(schemas.dlqPosition, req.params, 'params');
        return ops.deadLetter(g, partition, offset);
      });

      api.get('/audit', async (req) => {
        const q = parse(schemas.audit, req.query, 'querystring');
        return { entries: await audit.list(q) };
      });
    },
    { prefix: '/api' },
  );

  app.addHook('onClose', async () => {
    for (const set of streams.values()) for (const s of set) s.raw.end();
  });
  return app;
}

const answer = (reply: FastifyReply, outcome: ActionOutcome) => reply.code(outcome.status).send(outcome.body);

export { SESSION_COOKIE };
