import { FleetError } from '@fleet/errors';
import { parseRequest } from '@fleet/service-kit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { DeadLetterFilter, DeadLetterSummary } from '../operations/dead-letters.ts';
import { OperationError } from '../operations/operation-error.ts';
import type { PurgeResult } from '../operations/purge-dead-letters.ts';
import type { RedriveResult, RedriveSelection } from '../operations/redrive-dead-letters.ts';
import type { ReplayRequest, ReplayResult } from '../operations/replay-offsets.ts';
import {
  type AdminGuardOptions,
  type AdminRouteConfig,
  adminCaller,
  guardAdminRoutes,
} from './admin-guard.ts';
import type { RebuildJob } from './rebuild-jobs.ts';

/** What the admin API does; the runtime implements it for its own processor. */
export interface AdminOperations {
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

const read = { config: { admin: { access: 'read' } satisfies AdminRouteConfig } };
const write = (action: string) => ({
  config: { admin: { access: 'write', action } satisfies AdminRouteConfig },
});
/** A dry run changes nothing: a read token may plan a replay. */
const replayAccess = {
  config: {
    admin: {
      access: (body) => ((body as { dryRun?: unknown } | undefined)?.dryRun === true ? 'read' : 'write'),
      action: 'replay',
    } satisfies AdminRouteConfig,
  },
};

/**
 * The admin endpoints every processor serves on its internal listener: the operations of the `fleet`
 * CLI for this processor, so that a dashboard can drive them. Reads take a read or a write token,
 * writes a write token, and every write is audited (`admin-guard.ts`). Errors are thrown and answered
 * by the app's error handler (service-kit's `installErrorHandler`): `{ error: { code, message,
 * details? } }` with the status of the code in the catalogue.
 */
export function registerAdminApi(
  app: FastifyInstance,
  admin: AdminOperations,
  guard: AdminGuardOptions,
): void {
  app.register(async (scope) => {
    guardAdminRoutes(scope, guard);

    scope.get('/admin/status', read, () => admin.status());
    scope.post('/admin/pause', write('pause'), async (req, reply) => {
      await admin.pause(true, requester(req));
      return reply.code(202).send({ requested: 'pause' });
    });
    scope.post('/admin/resume', write('resume'), async (req, reply) => {
      await admin.pause(false, requester(req));
      return reply.code(202).send({ requested: 'resume' });
    });

    scope.get('/admin/dlq', read, async (req) => {
      const q = parse(schemas.deadLetters, req.query, 'querystring');
      return await admin.deadLetters({ errorCode: q.errorCode, since: q.since }, q.limit);
    });
    scope.get('/admin/dlq/:partition/:offset', read, async (req) => {
      const { partition, offset } = parse(schemas.position, req.params, 'params');
      return admin.deadLetter(partition, offset);
    });
    scope.post('/admin/dlq/redrive', write('dlq-redrive'), async (req) => {
      const result = await admin.redrive(parse(schemas.redrive, req.body, 'body'));
      return { ...result, count: result.redriven.length };
    });
    scope.post('/admin/dlq/purge', write('dlq-purge'), async (req) => {
      if (!parse(schemas.purge, req.body, 'body').confirm)
        throw new OperationError(
          'CONFIRMATION_REQUIRED',
          'purging deletes the dead letters for good: send {"confirm": true}',
        );
      return admin.purge();
    });

    scope.post('/admin/replay', replayAccess, async (req) =>
      admin.replay(parse(schemas.replay, req.body, 'body')),
    );

    scope.get('/admin/rebuild', read, async () => {
      const job = admin.rebuildJob();
      if (!job) throw noRebuild('was started');
      return job;
    });
    scope.post('/admin/rebuild', write('rebuild'), async (req, reply) => {
      const { from, acceptPartial } = parse(schemas.rebuild, req.body, 'body');
      const job = await admin.rebuild({ from: from === 'earliest' ? from : new Date(from), acceptPartial });
      return reply.code(202).send(job);
    });
    scope.delete('/admin/rebuild', write('rebuild-abort'), async () => {
      const job = await admin.abortRebuild();
      if (!job) throw noRebuild('is running');
      return job;
    });
    scope.post('/admin/rebuild/rollback', write('rebuild-rollback'), async (_req, reply) =>
      reply.code(202).send(await admin.rollback()),
    );
    scope.post('/admin/rebuild/finalize', write('rebuild-finalize'), async () => {
      await admin.finalizeRebuild();
      return { finalized: true };
    });
  });
}

/** Who asked, as fleet.controls.requested_by records it. */
const requester = (req: FastifyRequest) => `admin-api:${adminCaller(req)?.actor ?? 'anonymous'}`;
