import { parse } from 'yaml';

/** An event type as a processor's /asyncapi.yaml declares it. */
export interface EventView {
  type: string;
  name: string;
  title: string;
  summary: string | undefined;
  subject: string | undefined;
  compatibility: string | undefined;
  upcastsFrom: string | undefined;
  /** The payload's top-level fields with their JSON Schema type and whether they are required. */
  fields: { name: string; type: string; required: boolean }[];
  example: unknown;
}

export interface TopicView {
  topic: string;
  partitions: number | undefined;
  key: string | undefined;
  events: EventView[];
}

export interface ProcessorEvents {
  /** Topics the processor consumes (its registered topics) with the event types declared on them. */
  reads: TopicView[];
  /** The other topics of its document: where its follow-on events go. */
  writes: TopicView[];
}

type Doc = Record<string, unknown>;
const obj = (v: unknown): Doc => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Doc) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * What a processor reads and writes, from the AsyncAPI 3 document it serves at /asyncapi.yaml and
 * the topics it registered: the document lists every event type it handles or publishes by topic,
 * so the topics it consumes are its reads and the others its writes.
 */
export function processorEvents(yamlText: string, consumedTopics: readonly string[]): ProcessorEvents {
  const doc = obj(parse(yamlText));
  const messages = obj(obj(doc.components).messages);
  const topics: TopicView[] = Object.entries(obj(doc.channels)).map(([key, value]) => {
    const channel = obj(value);
    const kafka = obj(obj(channel.bindings).kafka);
    const events = Object.keys(obj(channel.messages)).map((ref) => eventView(ref, obj(messages[ref])));
    const description = str(channel.description) ?? '';
    return {
      topic: str(channel.address) ?? key,
      partitions: typeof kafka.partitions === 'number' ? kafka.partitions : undefined,
      key: description.match(/Record key: ([^.\n]+)/)?.[1],
      events,
    };
  });
  return {
    reads: topics.filter((t) => consumedTopics.includes(t.topic)),
    writes: topics.filter((t) => !consumedTopics.includes(t.topic)),
  };
}

function eventView(ref: string, m: Doc): EventView {
  const schema = obj(obj(m.payload).schema);
  const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
  const fields = Object.entries(obj(schema.properties)).map(([name, p]) => {
    const prop = obj(p);
    const type = Array.isArray(prop.type)
      ? prop.type.join(' | ')
      : (str(prop.type) ?? (prop.enum ? 'enum' : prop.anyOf || prop.oneOf ? 'union' : 'any'));
    return { name, type, required: required.has(name) };
  });
  const examples = Array.isArray(m.examples) ? m.examples : [];
  return {
    type: str(m['x-cloudevents-type']) ?? ref,
    name: str(m.name) ?? ref,
    title: str(m.title) ?? ref,
    summary: str(m.summary),
    subject: str(m['x-schema-registry-subject']),
    compatibility: str(m['x-compatibility']),
    upcastsFrom: str(m['x-upcasts-from']),
    fields,
    example: obj(examples[0]).payload ?? null,
  };
}
