import type { EventType } from '@fleet/contracts';
import type { PublishOptions } from '@fleet/producer';
import type { EventPublisher } from '../src/routes/route-context.ts';

export interface Published {
  type: string;
  data: unknown;
  options: PublishOptions | undefined;
}

/** Unit tests' stand-in for the producer: validates like it does, records instead of sending. */
export class RecordingPublisher implements EventPublisher {
  readonly published: Published[] = [];
  /** When set, the next publish throws it (then it is cleared). */
  failNext: Error | undefined;

  async publish<T>(eventType: EventType<T>, data: T, options?: PublishOptions): Promise<string> {
    const failure = this.failNext;
    this.failNext = undefined;
    if (failure) throw failure;
    eventType.schema.parse(data);
    this.published.push({ type: eventType.type, data, options });
    return options?.id ?? crypto.randomUUID();
  }
}
