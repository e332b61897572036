import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { DeadLetterFilter, DeadLetterSummary } from '../operations/dead-letters.ts';
import { OperationError, type OperationErrorKind } from '../operations/operation-error.ts';
import type { PurgeResult } from '../operations/purge-dead-letters.ts';
import type { RedriveResult, RedriveSelection } from '../operations/redrive-dead-letters.ts';
import type { ReplayRequest, ReplayResult } from '../operations/replay-offsets.ts';
import type { RebuildJob } from './rebuild-jobs.ts';

/** What the admin API does; the runtime implements it for its own processor. */
export interface AdminOperations {
  /** Bearer token; without one configured the admin endpoints answer 403. */
  token: string | undefined;
  status(): Promise<unknown>;
  /** Pauses or resumes every instance of the processor (acknowledged through the control tables). */
  pause(paused: boolean, by: string): Promise<void>;
  /** The first `limit` that match, and how many match in all. */
  deadLetters(
    filter: DeadLetterFilter,
    limit: number,
  ): Promise<{ total: number; deadLetters: DeadLetterSummary[] }>;
  deadLetter(partition: number, offset: number): Promise<unknown>;
  redrive(selection: RedriveSelection): Promise<RedriveResult>;
  purge(): Promise<PurgeResult>;
  replay(request: ReplayRequest): Promise<ReplayResult>;
  rebuild(options: { from: 'earliest' | Date; acceptPartial: boolean }): Promise<RebuildJob>;
  rollback(): Promise<RebuildJob>;
  rebuildJob(): RebuildJob | undefined;
  abortRebuild(): Promise<RebuildJob | undefined>;
  finalizeRebuild(): Promise<void>;
}

const statusOf: Record<OperationErrorKind, number> = {
  invalid: 400,
  'not-found': 404,
  refused: 409,
  'timed-out': 504,
  failed: 500,
};

const position = z.object({ partition: z.int().min(0), offset: z.int().min(0) });
const isoTime = z.iso.datetime({ offset: true }).transform((s) => Date.parse(s));
const start = z.union([z.literal('earliest'), isoTime]);

const schemas = {
  deadLetters: z.strictObject({
    errorCode: z.string().min(1).optional(),
    since: isoTime.optional(),
    limit: z.coerce.number().int().min(1).max(10_000).default(100),
  }),
  position: z.strictObject({
    partition: z.coerce.number().int().min(0),
    offset: z.coerce.number().int().min(0),
  }),
  redrive: z.strictObject({
    all: z.boolean().optional(),
    positions: z.array(position).min(1).optional(),
    errorCode: z.string().min(1).optional(),
    since: isoTime.optional(),
  }),
  purge: z.strictObject({ confirm: z.boolean().optional() }),
  replay: z.strictObject({
    from: start.optional(),
    toOffsets: z
      .array(position.extend({ topic: z.string().min(1).optional() }))
      .min(1)
      .optional(),
    acceptPartial: z.boolean().optional(),
    dryRun: z.boolean().optional(),
  }),
  rebuild: z.strictObject({ from: start.default('earliest'), acceptPartial: z.boolean().default(false) }),
};

/** The request part failed its schema: 400 naming every field that is wrong. */
class BadRequest extends OperationError {
  constructor(where: string, error: z.ZodError) {
    super(
      'invalid',
      'BAD_REQUEST',
      `invalid ${where}: ${error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
      error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  }
}

const parse = <S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> => {
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw new BadRequest(where, result.error);
  return result.data;
};

/**
 * The token-protected admin endpoints every processor service serves: the operations of the
 * `fleet` CLI for this processor, so that a dashboard can drive them. Errors are
 * `{ error: CODE, message, details? }` with the status the failure's kind calls for.
 */
export function registerAdminApi(app: FastifyInstance, admin: AdminOperations): void {
  app.register(async (scope) => {
    scope.addHook('onRequest', async (req, reply) => authorize(admin.token, req, reply));
    scope.setErrorHandler((error, _req, reply) => {
      if (error instanceof OperationError)
        return reply
          .code(statusOf[error.kind])
          .send({ error: error.code, message: error.message, details: error.details ?? null });
      const status = (error as { statusCode?: number }).statusCode;
      if (status && status < 500)
        return reply.code(status).send({ error: 'BAD_REQUEST', message: (error as Error).message });
      return reply.code(500).send({ error: 'INTERNAL', message: (error as Error).message });
    });

    scope.get('/admin/status', () => admin.status());
    scope.post('/admin/pause', async (_req, reply) => {
      await admin.pause(true, 'admin-api');
      return reply.code(202).send({ requested: 'pause' });
    });
    scope.post('/admin/resume', async (_req, reply) => {
      await admin.pause(false, 'admin-api');
      return reply.code(202).send({ requested: 'resume' });
    });

    scope.get('/admin/dlq', async (req) => {
      const q = parse(schemas.deadLetters, req.query, 'query');
      return await admin.deadLetters({ errorCode: q.errorCode, since: q.since }, q.limit);
    });
    scope.get('/admin/dlq/:partition/:offset', async (req) => {
      const { partition, offset } = parse(schemas.position, req.params, 'path');
      return admin.deadLetter(partition, offset);
    });
    scope.post('/admin/dlq/redrive', async (req) => {
      const result = await admin.redrive(parse(schemas.redrive, req.body, 'body'));
      return { ...result, count: result.redriven.length };
    });
    scope.post('/admin/dlq/purge', async (req) => {
      if (!parse(schemas.purge, req.body, 'body').confirm)
        throw new OperationError(
          'refused',
          'CONFIRMATION_REQUIRED',
          'purging deletes the dead letters for good: send {"confirm": true}',
        );
      return admin.purge();
    });

    scope.post('/admin/replay', async (req) => admin.replay(parse(schemas.replay, req.body, 'body')));

    scope.get('/admin/rebuild', async (_req, reply) => {
      const job = admin.rebuildJob();
      return job
        ? job
        : reply.code(404).send({ error: 'NO_REBUILD', message: 'no rebuild was started here' });
    });
    scope.post('/admin/rebuild', async (req, reply) => {
      const { from, acceptPartial } = parse(schemas.rebuild, req.body, 'body');
      const job = await admin.rebuild({ from: from === 'earliest' ? from : new Date(from), acceptPartial });
      return reply.code(202).send(job);
    });
    scope.delete('/admin/rebuild', async (_req, reply) => {
      const job = await admin.abortRebuild();
      return job ? job : reply.code(404).send({ error: 'NO_REBUILD', message: 'no rebuild is running here' });
    });
    scope.post('/admin/rebuild/rollback', async (_req, reply) =>
      reply.code(202).send(await admin.rollback()),
    );
    scope.post('/admin/rebuild/finalize', async () => {
      await admin.finalizeRebuild();
      return { finalized: true };
    });
  });
}

async function authorize(token: string | undefined, req: FastifyRequest, reply: FastifyReply) {
  if (!token)
    return reply
      .code(403)
      .send({ error: 'ADMIN_DISABLED', message: 'set FLEET_ADMIN_TOKEN to enable the admin API' });
  // Comparing digests keeps the check constant-time whatever the length of what was sent.
  const digest = (value: string) => createHash('sha256').update(value).digest();
  const given = req.headers.authorization?.replace(/^Bearer\s+/i, '') ?? '';
  const ok = timingSafeEqual(digest(given), digest(token));
  if (!ok) return reply.code(401).send({ error: 'UNAUTHORIZED', message: 'missing or wrong bearer token' });
}
