import type { Admin } from 'kafkajs';
import pRetry from 'p-retry';
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
