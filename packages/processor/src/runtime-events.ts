import { EventEmitter } from 'node:events';
import type { ConsumerLifecycle, PauseState } from './consumer-supervisor.ts';

/**
 * Everything observable a running processor does, as named events: metrics, logs, the control
 * plane and a service's own code subscribe (`runtime.events.on('record.dead_lettered', …)`) instead
 * of the runtime calling each of them.
 */
export interface RuntimeEventMap {
  /** A sub-batch is durable: applied in Postgres and its bad records in the DLQ. */
  'batch.applied': [{ topic: string; partition: number; records: number; seconds: number }];
  'record.dead_lettered': [
    { topic: string; partition: number; offset: string; reason: string; error: unknown },
  ];
  /** A route whose `onExhausted` is `stop` holds its partition at this event, retrying it. */
  'record.held': [
    { topic: string; partition: number; offset: string; eventType: string; attempts: number; error: unknown },
  ];
  'consumer.lifecycle': [{ from: ConsumerLifecycle; to: ConsumerLifecycle; reason: string }];
  'consumer.pause': [{ from: PauseState; to: PauseState }];
  /** The stall monitor saw lag without progress for the stall timeout. */
  'consumer.stalled': [{ lag: number; idleMs: number }];
}

export type RuntimeEvents = EventEmitter<RuntimeEventMap>;

export const createRuntimeEvents = (): RuntimeEvents => new EventEmitter<RuntimeEventMap>();
