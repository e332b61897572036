import { errorAreas } from './error-catalogue.ts';
import { ExitCode } from './error-spec.ts';

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

const exitMeaning: Record<number, string> = {
  [ExitCode.ok]: 'ok',
  [ExitCode.failed]: 'failed: Kafka or PostgreSQL refused, an unexpected error',
  [ExitCode.usage]: 'usage: the command line or a setting is wrong (a bad value, an unknown processor)',
  [ExitCode.refused]:
    'refused: needs confirmation or a flag (`--yes`, `--accept-partial`), or the processor must be stopped first',
  [ExitCode.timedOut]: 'timed out waiting for instances to acknowledge',
  [ExitCode.config]: 'a service’s configuration is invalid (EX_CONFIG): it did not start',
};

const preamble = `# Errors

<!-- Generated from packages/errors/src (the catalogue) by \`pnpm errors-doc\`; do not edit by hand. -->

Every error the fleet reports has a **code**, defined once in the catalogue
([\`packages/errors/src/codes/\`](../packages/errors/src/codes)) with what it means, the HTTP status an
API answers with and the exit code the \`fleet\` CLI (or a service's main) ends with. Codes never
change: match on them, never on messages. A message says what was wrong and what to do.

## In code

\`FleetError\` (\`@fleet/errors\`) is the base of every error the fleet throws: \`code\` (a union of the
catalogue's codes, not a string), \`message\`, \`details\` (structured context, per code below) and
\`cause\`; \`httpStatus\` and \`exitCode\` are read from the catalogue. Each package keeps its named
classes as thin subclasses: \`ContractError\`, \`EventValidationError\`, \`DecodeError\`, \`EnvelopeError\`,
\`ContractDefinitionError\`, \`RegistryError\` (contracts); \`ProcessorError\`, \`HandlerFailedError\`,
\`RefusedBatchError\`, \`OperationError\`, \`RebuildError\`, \`PermanentError\`, \`RetryableError\`
(processor); \`ConfigError\` (service-kit); \`CliError\`; \`HttpError\` (order-intake); \`ConsoleError\`;
\`PaymentRulesError\`.

\`PermanentError\` and \`RetryableError\` are what a handler throws to say how its failure should be
treated (dead-letter at once, retry in place); their \`failureKind\` decides that, not their code.

## Over HTTP

Every service answers an error with the status of its code and this body (\`application/json\`):

\`\`\`json
{
  "error": {
    "code": "VALIDATION_FAILED",
    "message": "invalid body: lines.0.quantity: Too small: expected number to be >0",
    "details": [{ "path": "body.lines.0.quantity", "message": "Too small: expected number to be >0" }]
  }
}
\`\`\`

\`details\` is there only for the codes that say what it holds. One shared Fastify error handler
(\`installErrorHandler\` in \`@fleet/service-kit\`) gives every service the same answers: a \`FleetError\`
its code's status; a request that fails the route's schema 400 \`VALIDATION_FAILED\` with every failing
field; an unknown route 404 \`NOT_FOUND\`; a body that is not JSON, too large or of another type 400
\`INVALID_JSON\`, 413 \`PAYLOAD_TOO_LARGE\`, 415 \`UNSUPPORTED_MEDIA_TYPE\`; and anything else 500
\`INTERNAL\` with the message \`internal error\` — what happened is logged with the request's
correlation ID, never sent. A code whose \`details\` hold \`retryAfterSeconds\` also gets a
\`Retry-After\` header.

Why this shape and not RFC 9457 (\`application/problem+json\`): a problem's identity there is its
\`type\`, a URI that should resolve to documentation; this fleet has no stable public host for it, and
the identity a client branches on is already the catalogue's code. The nested object keeps an error
apart from any success body (a client checks for \`error\` alone), is the shape the \`fleet\` CLI
prints with \`--json\`, and is the common JSON error form of large APIs (Microsoft's REST guidelines,
Google's JSON style guide); \`title\`, \`status\` and \`instance\` would repeat the catalogue, the HTTP
status line and the \`X-Correlation-Id\` header.

## In dead letters

A dead letter's \`dlq_error_code\` header is the code of what failed it (the first table below). An
error that is not the fleet's keeps its own code there: a PostgreSQL SQLSTATE (\`22P02\`, \`22P05\`…),
a Node system code, else its class name.

## Exit codes

| exit code | meaning |
|---|---|
${Object.values(ExitCode)
  .map((code) => `| ${code} | ${exitMeaning[code]} |`)
  .join('\n')}

\`fleet … --json\` also prints \`{ "error": { "code", "message", "exitCode" }, "details" }\` on stdout.
`;

/** docs/errors.md, from the catalogue: the same input always gives the same bytes. */
export function renderErrorsDoc(): string {
  const sections = errorAreas.map((area) => {
    const rows = Object.entries(area.codes).map(([code, spec]) => {
      const details = 'details' in spec ? ` *details:* ${spec.details}` : '';
      return `| \`${code}\` | ${cell(spec.description + details)} | ${spec.httpStatus} | ${spec.exitCode} |`;
    });
    return [
      `### ${area.title}`,
      '',
      area.intro,
      '',
      '| code | meaning | HTTP | exit |',
      '|---|---|---|---|',
      ...rows,
      '',
    ].join('\n');
  });
  return `${preamble}\n## Codes\n\n${sections.join('\n')}`;
}
