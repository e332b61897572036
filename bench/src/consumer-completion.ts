import type { Consumer } from 'kafkajs';

/**
 * What a baseline consumer waits on: `finish()` once it has seen everything. A handler that throws
 * makes kafkajs retry and finally crash: that rejects `finished`, so the run fails instead of timing out.
 */
export function consumerCompletion(consumer: Consumer) {
  const { promise: finished, resolve: finish, reject } = Promise.withResolvers<void>();
  consumer.on(consumer.events.CRASH, ({ payload }) => reject(payload.error));
  return { finished, finish };
}
