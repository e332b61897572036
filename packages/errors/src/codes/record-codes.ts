import { type ErrorSpec, ExitCode } from '../error-spec.ts';

const failed = ExitCode.failed;

/**
 * Why a record went to the dead-letter topic: the `dlq_error_code` header and the `reason` of the
 * runtime's `record.dead_lettered` log line. These strings are matched by operators
 * (`fleet dlq list --error-code`) and tests: never rename one.
 */
export const recordCodes = {
  HANDLER_FAILED: {
    description:
      'A handler failed for the event on every attempt (at once for a permanent failure). `dlq_error_class` and `dlq_error_message` name what the handler threw.',
    httpStatus: 500,
    exitCode: failed,
  },
  EVENT_INVALID: {
    description:
      'The payload does not match the schema of its event type: on encode nothing was sent; on decode the record was not handled. The message lists every failing field.',
    httpStatus: 422,
    exitCode: failed,
  },
  ENVELOPE_INVALID: {
    description:
      'The record headers are not a valid CloudEvents 1.0 envelope in Kafka binary mode (a `ce_*` header missing or malformed).',
    httpStatus: 422,
    exitCode: failed,
  },
  BAD_MAGIC_BYTE: {
    description:
      'The record value does not start with the magic byte 0 of the Confluent wire format: it was not written by EventCodec or a Schema Registry serializer.',
    httpStatus: 422,
    exitCode: failed,
  },
  TRUNCATED: {
    description: 'The record value is empty or shorter than the 5-byte prefix (magic byte + schema ID).',
    httpStatus: 422,
    exitCode: failed,
  },
  UNKNOWN_SCHEMA_ID: {
    description:
      'The schema ID in the record is not in the Schema Registry: written against another registry, or the schema was deleted.',
    httpStatus: 422,
    exitCode: failed,
  },
  UNDECODABLE: {
    description: 'The record has no value, or its value is not JSON after the 5-byte prefix.',
    httpStatus: 422,
    exitCode: failed,
  },
  UNEXPECTED_TYPE: {
    description:
      'The record holds an event type the reader does not expect (nor upcasts from), or one the codec does not know.',
    httpStatus: 422,
    exitCode: failed,
  },
  TYPE_MISMATCH: {
    description: 'The envelope’s `ce_type` and the schema ID of the value name different event types.',
    httpStatus: 422,
    exitCode: failed,
  },
  RECORD_BATCH_REFUSED: {
    description:
      'A compressed record batch the client would not inflate (over the inflate cap): its compressed bytes went to the DLQ as one letter.',
    httpStatus: 422,
    exitCode: failed,
  },
  PERMANENT_FAILURE: {
    description:
      '`PermanentError`, thrown by a handler: retrying will not help, the event goes to the DLQ at once (as `HANDLER_FAILED`, class `PermanentError`).',
    httpStatus: 422,
    exitCode: failed,
  },
  RETRYABLE_FAILURE: {
    description:
      '`RetryableError`, thrown by a handler: a passing condition, retried in place until it clears; never dead-lettered.',
    httpStatus: 503,
    exitCode: failed,
  },
  UNKNOWN: {
    description:
      'Something that is not an `Error` was thrown. (Errors that are not the fleet’s carry their own code: a PostgreSQL SQLSTATE such as `22P02`, a Node system code, else their class name.)',
    httpStatus: 500,
    exitCode: failed,
  },
} as const satisfies Record<string, ErrorSpec>;
