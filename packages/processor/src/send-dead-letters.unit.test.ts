import { metrics } from '@opentelemetry/api';
import {
  KafkaJSConnectionError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
} from 'kafkajs';
import { describe, expect, it } from 'vitest';
import type { DeadLetter } from './dead-letter.ts';
import { createLogger } from './logger.ts';
import { ProcessorMetrics } from './processor-metrics.ts';
import { sendDeadLetters } from './send-dead-letters.ts';

const reporting = {
  processor: 'p',
  logger: createLogger({ service: 'p', processor: 'p' }, 'silent'),
  metrics: new ProcessorMetrics(metrics.getMeter('test'), { processor: 'p' }),
};
const letter = (offset: string): DeadLetter => ({
  topic: 't',
  partition: 0,
  message: {
    key: null,
    value: Buffer.from('x'),
    offset,
    timestamp: '0',
    attributes: 0,
    headers: { ce_id: offset },
  },
  error: new Error('poison'),
  attempts: 1,
});
const keepGoing = async () => true;

describe('sendDeadLetters', () => {
  it('sends a letter whole once the broker is back, however kafkajs gave up meanwhile', async () => {
    const sent: DeadLetter[][] = [];
    let down = 2;
    await sendDeadLetters(
      [letter('1'), letter('2')],
      async (batch) => {
        if (down-- > 0) {
          // As producer.send throws it after its retries: the inner retrier's error, wrapped again.
          const refused = new KafkaJSConnectionError('connect ECONNREFUSED');
          const exhausted = new KafkaJSNumberOfRetriesExceeded(refused, { retryCount: 5, retryTime: 100 });
          throw Object.assign(new KafkaJSNonRetriableError(exhausted), { cause: refused });
        }
        sent.push(batch);
      },
      keepGoing,
      reporting,
    );
    expect(sent).toHaveLength(1);
    expect(sent[0]?.map((l) => [l.message.offset, l.omitted])).toEqual([
      ['1', undefined],
      ['2', undefined],
    ]);
  });

  it('sends without the original only the letter the broker refuses (too large), the others whole', async () => {
    const sent: DeadLetter[] = [];
    const tooLarge = new KafkaJSProtocolError(
      Object.assign(new Error('larger than the max message size'), {
        type: 'MESSAGE_TOO_LARGE',
        retriable: false,
      }),
    );
    await sendDeadLetters(
      [letter('1'), letter('2')],
      async (batch) => {
        if (batch.some((l) => l.message.offset === '2' && !l.omitted)) throw tooLarge;
        sent.push(...batch);
      },
      keepGoing,
      reporting,
    );
    expect(sent.map((l) => [l.message.offset, l.omitted])).toEqual([
      ['1', undefined],
      ['2', 'larger than the max message size'],
    ]);
  });

  it('throws what is neither passing nor a refusal, dropping nothing', async () => {
    await expect(
      sendDeadLetters(
        [letter('1')],
        async () => {
          throw new TypeError('a bug');
        },
        keepGoing,
        reporting,
      ),
    ).rejects.toThrow('a bug');
  });
});
