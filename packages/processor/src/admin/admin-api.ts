import { createHash, timingSafeEqual } from 'node:crypto';
import { FleetError } from '@fleet/errors';
import { parseRequest } from '@fleet/service-kit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { DeadLetterFilter, DeadLetterSummary } from '../operations/dead-letters.ts';
import { OperationError } from '../operations/operation-error.ts';
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

/** A part of the request that fails its schema is a 400 BAD_REQUEST naming every field that is wrong. */
const parse = <S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> =>
  parseRequest(schema, value ?? {}, where, 'BAD_REQUEST');

const noRebuild = (what: string) => new FleetError('NO_REBUILD', `no rebuild ${what} here`);

/**
 * The token-protected admin endpoints every processor service serves: the operations of the
 * `fleet` CLI for this processor, so that a dashboard can drive them. Errors are thrown and answered
 * by the app's error handler (service-kit's `installErrorHandler`): `{ error: { code, message,
 * details? } }` with the status of the code in the catalogue.
 */
export function registerAdminApi(app: FastifyInstance, admin: AdminOperations): void {
  app.register(async (scope) => {
    scope.addHook('onRequest', async (req) => authorize(admin.token, req));

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
      const q = parse(schemas.deadLetters, req.query, 'querystring');
      return await admin.deadLetters({ errorCode: q.errorCode, since: q.since }, q.limit);
    });
    scope.get('/admin/dlq/:partition/:offset', async (req) => {
      const { partition, offset } = parse(schemas.position, req.params, 'params');
      return admin.deadLetter(partition, offset);
    });
    scope.post('/admin/dlq/redrive', async (req) => {
      const result = await admin.redrive(parse(schemas.redrive, req.body, 'body'));
      return { ...result, count: result.redriven.length };
    });
    scope.post('/admin/dlq/purge', async (req) => {
      if (!parse(schemas.purge, req.body, 'body').confirm)
        throw new OperationError(
          'CONFIRMATION_REQUIRED',
          'purging deletes the dead letters for good: send {"confirm": true}',
        );
      return admin.purge();
    });

    scope.post('/admin/replay', async (req) => admin.replay(parse(schemas.replay, req.body, 'body')));

    scope.get('/admin/rebuild', async () => {
      const job = admin.rebuildJob();
      if (!job) throw noRebuild('was started');
      return job;
    });
    scope.post('/admin/rebuild', async (req, reply) => {
      const { from, acceptPartial } = parse(schemas.rebuild, req.body, 'body');
      const job = await admin.rebuild({ from: from === 'earliest' ? from : new Date(from), acceptPartial });
      return reply.code(202).send(job);
    });
    scope.delete('/admin/rebuild', async () => {
      const job = await admin.abortRebuild();
      if (!job) throw noRebuild('is running');
      return job;
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

async function authorize(token: string | undefined, req: FastifyRequest) {
  if (!token) throw new FleetError('ADMIN_DISABLED', 'set FLEET_ADMIN_TOKEN to enable the admin API');
  // Comparing digests keeps the check constant-time whatever the length of what was sent.
  const digest = (value: string) => createHash('sha256').update(value).digest();
  const given = req.headers.authorization?.replace(/^Bearer\s+/i, '') ?? '';
  const ok = timingSafeEqual(digest(given), digest(token));
  if (!ok) throw new FleetError('UNAUTHORIZED', 'missing or wrong bearer token');
}
