import { type ErrorCode, FleetError, type FleetErrorOptions } from '@fleet/errors';

/**
 * Base of every error this package throws: `code` is stable (match on it; its meaning, HTTP status
 * and exit code are in the fleet's catalogue, docs/errors.md), `message` says what to do.
 */
export class ContractError extends FleetError {}

/** One failing field of an event payload. `path` is dotted (`lines.0.quantity`); empty for the root. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** The payload does not match the event's schema. Nothing was sent or decoded. */
export class EventValidationError extends ContractError {
  readonly eventType: string;
  readonly issues: readonly FieldIssue[];

  constructor(eventType: string, issues: readonly FieldIssue[], when: 'encode' | 'decode') {
    const list = issues.map((i) => `  - ${i.path || '(root)'}: ${i.message}`).join('\n');
    const advice =
      when === 'encode'
        ? 'Nothing was sent. Fix the payload to match the schema of this event type.'
        : 'The record does not match the schema its reader expects; it was not handled.';
    super('EVENT_INVALID', `Invalid ${eventType} payload (${issues.length} problem(s)):\n${list}\n${advice}`);
    this.eventType = eventType;
    this.issues = issues;
  }
}

export type DecodeErrorCode = Extract<
  ErrorCode,
  'BAD_MAGIC_BYTE' | 'TRUNCATED' | 'UNKNOWN_SCHEMA_ID' | 'UNDECODABLE' | 'UNEXPECTED_TYPE' | 'TYPE_MISMATCH'
>;

/** A record value that cannot be turned into the expected event. */
export class DecodeError extends ContractError {
  declare readonly code: DecodeErrorCode;

  constructor(code: DecodeErrorCode, message: string, options?: FleetErrorOptions) {
    super(code, message, options);
  }
}

/** Kafka record headers that do not form a valid CloudEvents 1.0 envelope. */
export class EnvelopeError extends ContractError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(
      'ENVELOPE_INVALID',
      `Record headers are not a valid CloudEvents 1.0 (Kafka binary mode) envelope:\n${problems
        .map((p) => `  - ${p}`)
        .join(
          '\n',
        )}\nProduce with @fleet/producer or set the ce_* headers as documented in @fleet/contracts.`,
    );
    this.problems = problems;
  }
}

/** A contract declaration that cannot work (bad name, duplicate type, unknown event...). */
export class ContractDefinitionError extends ContractError {
  constructor(message: string) {
    super('CONTRACT_INVALID', message);
  }
}

/** The Schema Registry refused or failed a request. */
export class RegistryError extends ContractError {
  readonly status: number | undefined;

  /** No answer, an overloaded or failing registry: worth retrying. A 4xx answer is final. */
  readonly failureKind: 'transient' | 'permanent';

  constructor(message: string, status?: number, options?: FleetErrorOptions) {
    super('REGISTRY_ERROR', message, options);
    this.status = status;
    this.failureKind =
      status === undefined || status >= 500 || status === 429 || status === 408 ? 'transient' : 'permanent';
  }
}
