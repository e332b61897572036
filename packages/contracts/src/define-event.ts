import type { z } from 'zod';
import { ContractDefinitionError } from './contract-errors.ts';
import type { TopicSpec } from './define-topic.ts';

/**
 * How an older version of an event becomes this one. Readers that expect this version and meet the
 * old one decode it with the old schema, then call `upcast`.
 */
export interface Upcast<T> {
  readonly event: EventType;
  // Method syntax on purpose: lets `(old: OrderPlacedV1) => OrderPlacedV2` be stored here.
  upcast(old: unknown): T;
}

/**
 * One version of one kind of event. `T` is the payload (the zod schema's output).
 *
 * - `type` is the CloudEvents type, `<namespace>.<Name>.v<version>`; the namespace defaults to
 *   `fleet.<topic>` (so `fleet.orders.OrderPlaced.v1`), the topic's declared name: a topic prefix
 *   (FLEET_TOPIC_PREFIX) does not change it.
 * - `subject` is the Schema Registry subject, `<topic>-<type>` (TopicRecordNameStrategy) with the
 *   topic as on the broker: one subject per event type and version, several of them on one topic, and
 *   a prefixed deployment's subjects apart from the others'.
 */
export interface EventType<T = unknown> {
  readonly name: string;
  readonly version: number;
  readonly namespace: string;
  readonly type: string;
  readonly topic: TopicSpec;
  readonly schema: z.ZodType<T>;
  /** The record key of a payload (method syntax so that `EventType<X>` is an `EventType`). */
  key(data: T): string;
  readonly example: T;
  readonly description: string;
  readonly subject: string;
  readonly upcastFrom?: Upcast<T>;
}

/** The payload type of an event type: `EventData<typeof OrderPlaced>`. */
export type EventData<E> = E extends EventType<infer T> ? T : never;

export interface EventDefinition<S extends z.ZodType, Old> {
  /** PascalCase past-tense fact (`OrderPlaced`) or imperative command (`ReleaseStock`). */
  name: string;
  version: number;
  topic: TopicSpec;
  schema: S;
  key: (data: z.output<S>) => string;
  example: z.output<S>;
  description: string;
  /** Defaults to `fleet.<declared topic name>`. Lower-case dotted segments. */
  namespace?: string;
  upcastFrom?: { event: EventType<Old>; upcast: (old: Old) => z.output<S> };
}

const pascalCase = /^[A-Z][A-Za-z0-9]*$/;
const dottedNamespace = /^[a-z][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)*$/;

export function eventTypeName(namespace: string, name: string, version: number): string {
  return `${namespace}.${name}.v${version}`;
}

export function subjectOf(topic: string, type: string): string {
  return `${topic}-${type}`;
}

export function defineEvent<S extends z.ZodType, Old = never>(
  def: EventDefinition<S, Old>,
): EventType<z.output<S>> {
  const where = `Event ${def.name} v${def.version}`;
  if (!pascalCase.test(def.name))
    throw new ContractDefinitionError(`${where}: name must be PascalCase ([A-Z][A-Za-z0-9]*).`);
  if (!Number.isInteger(def.version) || def.version < 1)
    throw new ContractDefinitionError(`${where}: version must be an integer >= 1.`);
  const namespace = def.namespace ?? `fleet.${def.topic.declaredName.toLowerCase()}`;
  if (!dottedNamespace.test(namespace))
    throw new ContractDefinitionError(
      `${where}: namespace "${namespace}" must be lower-case dotted segments (e.g. fleet.orders); pass namespace explicitly.`,
    );
  const checked = def.schema.safeParse(def.example);
  if (!checked.success)
    throw new ContractDefinitionError(
      `${where}: its example does not match its schema: ${checked.error.issues
        .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
        .join('; ')}. Fix the example (it is published in the AsyncAPI document).`,
    );
  const upcastFrom = def.upcastFrom;
  if (upcastFrom) {
    if (upcastFrom.event.name !== def.name || upcastFrom.event.version >= def.version)
      throw new ContractDefinitionError(
        `${where}: upcastFrom must name an older version of ${def.name}, got ${upcastFrom.event.type}.`,
      );
    if (upcastFrom.event.topic.name !== def.topic.name)
      throw new ContractDefinitionError(
        `${where}: upcastFrom ${upcastFrom.event.type} lives on topic ${upcastFrom.event.topic.name}; versions of one event must share a topic.`,
      );
  }
  const type = eventTypeName(namespace, def.name, def.version);
  const keyOf = def.key;
  return Object.freeze({
    name: def.name,
    version: def.version,
    namespace,
    type,
    topic: def.topic,
    schema: def.schema as z.ZodType<z.output<S>>,
    key: (data: z.output<S>) => keyOf(data),
    example: def.example,
    description: def.description,
    subject: subjectOf(def.topic.name, type),
    ...(upcastFrom
      ? {
          upcastFrom: {
            event: upcastFrom.event as EventType,
            upcast: (old: unknown) => upcastFrom.upcast(old as Old),
          },
        }
      : {}),
  });
}

/** Every older version an event type can be read from, nearest first, with the upcast to apply. */
export function upcastChain(eventType: EventType): EventType[] {
  const chain: EventType[] = [];
  for (let u = eventType.upcastFrom; u; u = u.event.upcastFrom) chain.push(u.event);
  return chain;
}

/** Upcasts `data` of `from` (an older version in `to`'s chain) to `to`'s payload. */
export function upcastTo<T>(to: EventType<T>, from: EventType, data: unknown): T {
  const steps: Upcast<unknown>[] = [];
  for (let current: EventType = to; current.type !== from.type; ) {
    const u = current.upcastFrom;
    if (!u)
      throw new ContractDefinitionError(`${to.type} cannot be upcast from ${from.type}: not in its chain.`);
    steps.push(u);
    current = u.event;
  }
  let value = data;
  for (let i = steps.length - 1; i >= 0; i--) value = (steps[i] as Upcast<unknown>).upcast(value);
  return value as T;
}
