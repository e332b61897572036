import type { EventType } from '@fleet/contracts';
import type { ScheduleContext } from './handler-context.ts';

/**
 * Work on a clock rather than on an event (timeouts, expiries): every `everyMs`, in one transaction
 * on one instance at a time (a PostgreSQL advisory lock), its follow-ons through the outbox, each
 * descending from a decision (`publish(Event, data, { cause: { id } })`). Not run while replaying
 * (a rebuild).
 */
export interface Schedule<DB, P extends EventType = EventType> {
  /** Unique within the processor; names its lock. */
  name: string;
  /** 1 ms to 2^31 - 1 ms (what a Node timer can hold). */
  everyMs: number;
  // A property, not a method, so that the compiler checks what the context may publish.
  run: (ctx: ScheduleContext<DB, P>) => Promise<void>;
}
