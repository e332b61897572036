import { apiCodes } from './codes/api-codes.ts';
import { cliCodes } from './codes/cli-codes.ts';
import { configCodes } from './codes/config-codes.ts';
import { consoleCodes } from './codes/console-codes.ts';
import { contractCodes } from './codes/contract-codes.ts';
import { operationCodes } from './codes/operation-codes.ts';
import { recordCodes } from './codes/record-codes.ts';
import type { ErrorArea, ErrorSpec } from './error-spec.ts';

/** The catalogue by area, in the order the reference presents them. Each code is in exactly one. */
export const errorAreas = [
  {
    title: 'Records and dead letters',
    intro:
      'Why a record went to the dead-letter topic: its `dlq_error_code` header, the `reason` of the `record.dead_lettered` log line, `fleet dlq list --error-code`.',
    codes: recordCodes,
  },
  {
    title: 'Declarations, contracts, registry and producer',
    intro:
      'Declaring processors (`defineProcessor`) and contracts, registering schemas and publishing events (`@fleet/contracts`, `@fleet/producer`).',
    codes: contractCodes,
  },
  {
    title: 'Operator operations',
    intro:
      'Status, dead letters, replays and rebuilds: the same errors from the `fleet` CLI (exit code), the admin API and the console (HTTP status).',
    codes: operationCodes,
  },
  {
    title: 'HTTP APIs',
    intro:
      'What every HTTP API answers (order-intake, the services’ query routes, the admin API, the console), in the body shape described above.',
    codes: apiCodes,
  },
  {
    title: 'Console',
    intro: 'The operator console’s own refusals and its calls to the processors.',
    codes: consoleCodes,
  },
  {
    title: 'The fleet CLI',
    intro: 'The `fleet` command line, its settings and connections.',
    codes: cliCodes,
  },
  {
    title: 'Start-up',
    intro: 'A service’s configuration, checked once before it starts.',
    codes: configCodes,
  },
] as const satisfies readonly ErrorArea[];

/** Every code the fleet reports, defined once: its meaning, HTTP status and exit code. */
export const errorCatalogue = {
  ...recordCodes,
  ...contractCodes,
  ...operationCodes,
  ...apiCodes,
  ...consoleCodes,
  ...cliCodes,
  ...configCodes,
} as const;

export type ErrorCode = keyof typeof errorCatalogue;

const catalogue: Readonly<Record<string, ErrorSpec>> = errorCatalogue;

/** Whether a string (from a header, a body, a log) is one of the catalogue's codes. */
export const isErrorCode = (value: unknown): value is ErrorCode =>
  typeof value === 'string' && Object.hasOwn(catalogue, value);

export const errorSpec = (code: ErrorCode): ErrorSpec => catalogue[code] as ErrorSpec;
