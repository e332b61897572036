import { EventEmitter } from 'node:events';

/**
 * Calls `listeners[name]` with the first argument of every `emit(name, …)` of any EventEmitter in
 * this process, from now on. A measuring hook for a child process: the runtime's `events` can be
 * subscribed to only once `ProcessorRuntime.start` has returned, but a member applies sub-batches
 * during its start already (right after it joined), and kafkajs' consumer events (join, rebalance)
 * are on a consumer the runtime keeps to itself.
 */
export function watchEmitted(listeners: Record<string, (arg: unknown) => void>): void {
  const emit = EventEmitter.prototype.emit;
  EventEmitter.prototype.emit = function (this: EventEmitter, name: string | symbol, ...args: unknown[]) {
    if (typeof name === 'string') listeners[name]?.(args[0]);
    return emit.call(this, name, ...args);
  };
}
