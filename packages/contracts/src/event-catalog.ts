import { ContractDefinitionError } from './contract-errors.ts';
import type { EventType } from './define-event.ts';
import type { TopicSpec } from './define-topic.ts';

/** The event types of a fleet, looked up by CloudEvents type or by topic. */
export class EventCatalog {
  readonly events: readonly EventType[];
  readonly #byType = new Map<string, EventType>();
  readonly #topics = new Map<string, TopicSpec>();
  readonly #byTopic = new Map<string, EventType[]>();

  constructor(events: readonly EventType[]) {
    for (const event of events) {
      if (this.#byType.has(event.type))
        throw new ContractDefinitionError(
          `Event type ${event.type} is listed twice in the catalog; list each event type once.`,
        );
      const topic = this.#topics.get(event.topic.name);
      if (topic && topic !== event.topic)
        throw new ContractDefinitionError(
          `Topic ${event.topic.name} is defined twice (by ${event.type} and another event); define it once with defineTopic and share it.`,
        );
      this.#byType.set(event.type, event);
      this.#topics.set(event.topic.name, event.topic);
      this.#byTopic.set(event.topic.name, [...(this.#byTopic.get(event.topic.name) ?? []), event]);
    }
    this.events = Object.freeze([...events]);
  }

  /** The event type of a `ce_type` header value; undefined when the catalog has none. */
  byType(ceType: string): EventType | undefined {
    return this.#byType.get(ceType);
  }

  topics(): TopicSpec[] {
    return [...this.#topics.values()];
  }

  /** Event types carried by a topic (by name or spec), in declaration order. */
  eventsOf(topic: string | TopicSpec): EventType[] {
    return [...(this.#byTopic.get(typeof topic === 'string' ? topic : topic.name) ?? [])];
  }
}
