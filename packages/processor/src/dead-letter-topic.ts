import type { Admin, Producer } from 'kafkajs';
import pRetry from 'p-retry';
import { type DeadLetter, deadLetterMessage } from './dead-letter.ts';
import { errorCode } from './errors.ts';
import { isTransientError } from './failure-kind.ts';

/** Creates the processor's dead-letter topic unless it exists (another instance may create it at the same moment). */
export async function ensureDeadLetterTopic(admin: Admin, topic: string): Promise<void> {
  // Several services starting on a fresh broker at once: metadata may lag a moment behind.
  await pRetry(
    async () => {
      if ((await admin.listTopics()).includes(topic)) return;
      await admin
        .createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true })
        .catch((error: unknown) => {
          if ((error as { type?: string }).type !== 'TOPIC_ALREADY_EXISTS') throw error;
        });
    },
    { retries: 8, minTimeout: 250, maxTimeout: 4_000, shouldRetry: ({ error }) => isTransientError(error) },
  );
}

/**
 * Sends letters to the dead-letter topic (acks=all) and returns the last one's reason, as text
 * PostgreSQL can store whatever the record held (for `fleet status`).
 */
export async function sendToDeadLetterTopic(
  producer: Producer,
  topic: string,
  processor: string,
  letters: DeadLetter[],
): Promise<string | undefined> {
  await producer.send({ topic, acks: -1, messages: letters.map((l) => deadLetterMessage(processor, l)) });
  const last = letters.at(-1)?.error;
  if (last === undefined) return undefined;
  const message = `${errorCode(last)}: ${last instanceof Error ? last.message : String(last)}`;
  return message.toWellFormed().replaceAll('\u0000', '\\0');
}
