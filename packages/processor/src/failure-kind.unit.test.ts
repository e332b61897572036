import { RegistryError } from '@fleet/contracts';
import {
  KafkaJSConnectionError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
} from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { failureKind, PermanentError, RetryableError } from './failure-kind.ts';

// What pg, Node and kafkajs really throw, reduced to the fields classification reads.
const pgError = (code: string) => Object.assign(new Error('x'), { code, severity: 'ERROR' });
const systemError = (code: string) =>
  Object.assign(new Error('x'), { code, errno: -111, syscall: 'connect' });
const kafkaError = (retriable: boolean) =>
  Object.assign(new Error('x'), { name: 'KafkaJSProtocolError', retriable });

describe('failureKind', () => {
  it('retries lost connections, lock races, shutdowns, exhausted resources and unavailable peers', () => {
    for (const code of ['40001', '40P01', '57P01', '57P03', '08006', '08P01', '53300', '53100', '55P03'])
      expect(failureKind(pgError(code)), code).toBe('transient');
    for (const code of ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH'])
      expect(failureKind(systemError(code)), code).toBe('transient');
    expect(failureKind(kafkaError(true))).toBe('transient');
    expect(failureKind(new Error('fetch failed', { cause: systemError('ECONNREFUSED') }))).toBe('transient');
    expect(failureKind(new RegistryError('no answer', undefined))).toBe('transient');
    expect(failureKind(new RegistryError('overloaded', 503))).toBe('transient');
    expect(failureKind(new RetryableError('rate limited upstream'))).toBe('transient');
    // kafkajs gave up retrying a broker that was down (the DLQ producer during a broker restart): the
    // letter must be sent again, whole, not judged unsendable.
    const refused = new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092');
    const exhausted = new KafkaJSNumberOfRetriesExceeded(refused, { retryCount: 5, retryTime: 100 });
    expect(failureKind(exhausted)).toBe('transient');
    // What producer.send throws then: its outer retrier wraps the inner one's error again
    // (kafkajs/src/retry: `new KafkaJSNonRetriableError(e, { cause: e.cause || e })`).
    expect(
      failureKind(
        Object.assign(new KafkaJSNonRetriableError(exhausted), { cause: exhausted.cause ?? exhausted }),
      ),
    ).toBe('transient');
  });

  it('gives up at once on what the same record will always fail: bad data, constraints, limits', () => {
    // 22021: NUL in text; 22001: value too long; 23505: unique; 42P01: no such table; 54000: index row too large
    for (const code of ['22021', '22P05', '22001', '23505', '23503', '42P01', '54000', '0A000'])
      expect(failureKind(pgError(code)), code).toBe('permanent');
    expect(failureKind(kafkaError(false))).toBe('permanent');
    const tooLarge = new KafkaJSProtocolError(
      Object.assign(
        new Error('The request included a message larger than the max message size the server will accept'),
        {
          type: 'MESSAGE_TOO_LARGE',
          code: 10,
          retriable: false,
        },
      ),
    );
    expect(failureKind(tooLarge)).toBe('permanent');
    // Retries exhausted or refused: what was retried decides; kafkajs' own refusals stay permanent.
    expect(failureKind(new KafkaJSNumberOfRetriesExceeded(tooLarge, { retryCount: 0, retryTime: 0 }))).toBe(
      'permanent',
    );
    expect(failureKind(Object.assign(new KafkaJSNonRetriableError(tooLarge), { cause: tooLarge }))).toBe(
      'permanent',
    );
    expect(failureKind(new KafkaJSNonRetriableError('Invalid topic'))).toBe('permanent');
    expect(failureKind(new RegistryError('refused', 422))).toBe('permanent');
    expect(failureKind(new PermanentError('no such customer'))).toBe('permanent');
  });

  it('leaves application errors and codeless driver errors to the attempts policy', () => {
    expect(failureKind(new TypeError('x is undefined'))).toBe('unknown');
    expect(failureKind(new Error('Connection terminated unexpectedly'))).toBe('unknown');
    expect(failureKind(Object.assign(new Error('x'), { code: '23505' }))).toBe('unknown'); // not from the server
    expect(failureKind(pgError('P0001'))).toBe('unknown'); // raise_exception in a function
    expect(failureKind(pgError('57014'))).toBe('unknown'); // statement timeout: maybe the record's query
    expect(failureKind('boom')).toBe('unknown');
  });
});
