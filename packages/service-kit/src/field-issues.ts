import { type ErrorCode, FleetError } from '@fleet/errors';
import type { z } from 'zod';

/** One failing field of a request: `path` says where (`body.lines.0.quantity`, `params.orderId`). */
export interface FieldIssue {
  path: string;
  message: string;
}

/** A validation error item as Fastify reports it (Ajv's, or fastify-type-provider-zod's from a zod issue). */
export interface ValidationItem {
  keyword: string;
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
}

/** Every failing field, each path prefixed with the part of the request it is in (body, params, querystring, headers). */
export function fieldIssuesOf(context: string, items: readonly ValidationItem[]): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const item of items) {
    const segments = item.instancePath.split('/').filter(Boolean);
    const at = (...extra: string[]) => [context, ...segments, ...extra].join('.');
    const { keys, additionalProperty, missingProperty } = item.params;
    // zod names every unknown key of a strict object in one issue; Ajv one per error.
    if (item.keyword === 'unrecognized_keys' && Array.isArray(keys))
      for (const key of keys) issues.push({ path: at(String(key)), message: 'unknown field' });
    else if (item.keyword === 'additionalProperties' && typeof additionalProperty === 'string')
      issues.push({ path: at(additionalProperty), message: 'unknown field' });
    else if (item.keyword === 'required' && typeof missingProperty === 'string')
      issues.push({ path: at(missingProperty), message: 'is required' });
    else issues.push({ path: at(), message: item.message ?? 'invalid' });
  }
  return issues;
}

/** zod's issues in the same form, for routes that parse a part of the request themselves. */
export function fieldIssuesOfZod(context: string, error: z.ZodError): FieldIssue[] {
  return error.issues.flatMap((issue) => {
    const at = (...extra: string[]) => [context, ...issue.path.map(String), ...extra].join('.');
    return issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: at(key), message: 'unknown field' }))
      : [{ path: at(), message: issue.message }];
  });
}

/** "invalid querystring: to: must not be before from; …": what the issues say, in one line. */
export function describeIssues(context: string, issues: readonly FieldIssue[]): string {
  const within = (path: string) => (path === context ? '(root)' : path.slice(context.length + 1));
  return `invalid ${context}: ${issues.map((i) => `${within(i.path)}: ${i.message}`).join('; ')}`;
}

/** The error a route throws when a part of the request fails its schema: 400 with every failing field. */
export function requestInvalid(
  context: string,
  issues: readonly FieldIssue[],
  code: Extract<ErrorCode, 'VALIDATION_FAILED' | 'BAD_REQUEST'> = 'VALIDATION_FAILED',
): FleetError {
  return new FleetError(code, describeIssues(context, issues), { details: issues });
}

/** Parses a part of the request with a zod schema, or throws `requestInvalid` naming every failing field. */
export function parseRequest<S extends z.ZodType>(
  schema: S,
  value: unknown,
  context: string,
  code?: Extract<ErrorCode, 'VALIDATION_FAILED' | 'BAD_REQUEST'>,
): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw requestInvalid(context, fieldIssuesOfZod(context, result.error), code);
  return result.data;
}
