import type { IHeaders, KafkaMessage, Message } from 'kafkajs';
import { errorCode, HandlerFailedError } from './errors.ts';

/** Headers a dead letter carries besides the original ones (kept byte for byte). */
export const deadLetterHeaders = {
  sourceTopic: 'dlq_source_topic',
  sourcePartition: 'dlq_source_partition',
  sourceOffset: 'dlq_source_offset',
  processor: 'dlq_processor',
  errorCode: 'dlq_error_code',
  errorClass: 'dlq_error_class',
  errorMessage: 'dlq_error_message',
  attempts: 'dlq_attempts',
  failedAt: 'dlq_failed_at',
  sourceTimestamp: 'dlq_source_timestamp',
  originalOmitted: 'dlq_original_omitted',
} as const;

export interface DeadLetter {
  topic: string;
  partition: number;
  message: KafkaMessage;
  error: unknown;
  attempts: number;
  /** Set when the DLQ refused the original key, value and headers (too large): why they were left out. */
  omitted?: string;
}

/** The DLQ record: the original key, value and headers untouched, plus why and where from. */
export function deadLetterMessage(processor: string, letter: DeadLetter): Message {
  const error = letter.error;
  const headers: IHeaders = letter.omitted ? {} : { ...(letter.message.headers ?? {}) };
  headers[deadLetterHeaders.sourceTopic] = letter.topic;
  headers[deadLetterHeaders.sourcePartition] = String(letter.partition);
  headers[deadLetterHeaders.sourceOffset] = letter.message.offset;
  headers[deadLetterHeaders.processor] = processor;
  headers[deadLetterHeaders.errorCode] = errorCode(error);
  const cause = error instanceof HandlerFailedError ? error.cause : error;
  headers[deadLetterHeaders.errorClass] = cause instanceof Error ? cause.constructor.name : typeof cause;
  headers[deadLetterHeaders.errorMessage] = (error instanceof Error ? error.message : String(error)).slice(
    0,
    4000,
  );
  headers[deadLetterHeaders.attempts] = String(letter.attempts);
  headers[deadLetterHeaders.failedAt] = new Date().toISOString();
  headers[deadLetterHeaders.sourceTimestamp] = letter.message.timestamp;
  // The original stays at its source coordinates until the source topic's retention ends.
  if (letter.omitted) {
    headers[deadLetterHeaders.originalOmitted] = letter.omitted.slice(0, 1000);
    return { key: null, value: null, headers };
  }
  // No timestamp of its own: the DLQ's retention counts from when the record was dead-lettered.
  return { key: letter.message.key, value: letter.message.value, headers };
}
