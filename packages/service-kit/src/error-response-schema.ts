import type { ErrorCode } from '@fleet/errors';
import { z } from 'zod';

export const fieldIssueSchema = z.strictObject({
  path: z
    .string()
    .describe(
      'Where: `body.lines.0.quantity`, `params.orderId`, `querystring.to`; `body` for the whole body.',
    ),
  message: z.string().describe('Why it is invalid.'),
});

/**
 * The fleet's HTTP error body as a zod schema, for a service's OpenAPI document and response
 * serialization: `{ error: { code, message, details? } }`, `code` limited to those the service
 * answers with. Every code and its meaning: docs/errors.md.
 *
 * `id` names the OpenAPI component and must be unique per service (`OrderIntakeError`): zod's
 * registry maps an id to the last schema given it, so two services' `Error` in one process (an
 * all-in-one test run) would publish one service's codes in the other's document.
 */
export function errorResponseSchema<const C extends readonly [ErrorCode, ...ErrorCode[]]>(
  codes: C,
  id: `${string}Error`,
) {
  return z
    .strictObject({
      error: z.strictObject({
        code: z.enum(codes).describe('Stable machine-readable code (docs/errors.md).'),
        message: z.string().describe('For humans: what went wrong and what to do.'),
        details: z
          .union([
            z.array(fieldIssueSchema).describe('VALIDATION_FAILED: every failing field.'),
            z
              .strictObject({ retryAfterSeconds: z.number().int().nonnegative() })
              .describe('RATE_LIMITED, IDEMPOTENCY_KEY_IN_PROGRESS, UNAVAILABLE: when to retry.'),
          ])
          .optional(),
      }),
    })
    .meta({ id });
}
