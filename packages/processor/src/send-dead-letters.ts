import type { DeadLetter } from './dead-letter.ts';
import { failureKind } from './failure-kind.ts';
import { type KeepGoing, type RetryReporting, retryTransient, StoppedError } from './retry-in-place.ts';

/**
 * Sends dead letters through `send`, retrying transient failures in place (a broker away, however
 * long); should the broker refuse them (a record too large once the reason headers are added), one by
 * one, and a letter the broker still refuses (a permanent failure) goes without its original key,
 * value and headers, with the reason for the omission: its source coordinates still point at the
 * original. Anything else is thrown: the sub-batch is not committed, and is applied again.
 */
export async function sendDeadLetters(
  letters: DeadLetter[],
  send: (letters: DeadLetter[]) => Promise<void>,
  keepGoing: KeepGoing,
  reporting: RetryReporting,
): Promise<void> {
  const sendRetrying = (batch: DeadLetter[]) =>
    retryTransient('send dead letters', keepGoing, () => send(batch), reporting);
  try {
    await sendRetrying(letters);
    return;
  } catch (error) {
    if (error instanceof StoppedError) throw error;
    reporting.logger.warn({ err: error }, 'the dead-letter topic refused a batch; sending one by one');
  }
  for (const letter of letters) {
    try {
      await sendRetrying([letter]);
    } catch (error) {
      if (error instanceof StoppedError || failureKind(error) !== 'permanent') throw error;
      await sendRetrying([{ ...letter, omitted: error instanceof Error ? error.message : String(error) }]);
    }
  }
}
