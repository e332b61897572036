import { createRequire } from 'node:module';
import type { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type { Ajv } from 'ajv';
import type { z } from 'zod';
import { ContractError, DecodeError, EventValidationError, type FieldIssue } from './contract-errors.ts';
import { type EventType, upcastChain, upcastTo } from './define-event.ts';
import { jsonSchemaTextOf } from './json-schema-of.ts';
import { type CompatibilityLevel, RegistryHttp } from './registry-http.ts';

/** Confluent wire format: magic byte 0, 4-byte big-endian schema id, then the payload. */
const MAGIC_BYTE = 0;
const HEADER_LENGTH = 5;

export interface EventCodecOptions {
  /** Confluent-compatible API base, e.g. `http://127.0.0.1:8081/apis/ccompat/v7`. */
  registryUrl: string;
  /** Every event type this codec writes or reads; older versions in their `upcastFrom` chains are added. */
  events: readonly EventType[];
  auth?: { username: string; password: string };
}

/** A decoded record whose event type was found from its schema id. */
export interface DecodedEvent {
  eventType: EventType;
  data: unknown;
}

/** The level a subject gets: FULL_TRANSITIVE on public topics (other teams read them), else BACKWARD. */
export function compatibilityLevelOf(eventType: EventType): CompatibilityLevel {
  return eventType.topic.public ? 'FULL_TRANSITIVE' : 'BACKWARD';
}

// The registry client (with avsc, protobufjs and Ajv, all CommonJS) is loaded on first use, not on
// import: decoding never needs it (zod validates), so a process that only decodes never loads it.
const require = createRequire(import.meta.url);
type RegistryModule = typeof import('@kafkajs/confluent-schema-registry');
const registryModule = () => require('@kafkajs/confluent-schema-registry') as RegistryModule;

/** A schema-registry client that validates draft-07 JSON Schemas with formats (uuid, date-time...). */
export function createSchemaRegistry(
  registryUrl: string,
  auth?: { username: string; password: string },
): SchemaRegistry {
  const { SchemaRegistry, SchemaType } = registryModule();
  // ajv-formats' CommonJS export is the plugin function; ajv's is the class.
  const AjvClass = require('ajv') as typeof Ajv;
  const addFormats = require('ajv-formats') as (ajv: Ajv) => Ajv;
  const ajvInstance = addFormats(new AjvClass({ strict: false, allErrors: true }));
  return new SchemaRegistry(
    { host: registryUrl, ...(auth ? { auth } : {}) },
    { [SchemaType.JSON]: { ajvInstance } },
  );
}

/**
 * Encodes and decodes event payloads in the Confluent wire format (JSON), with zod validation both ways
 * and upcasting of older versions. `registerAll()` once at start; after that neither `encode` nor
 * `decode` of a known schema id touches the network.
 */
export class EventCodec {
  readonly http: RegistryHttp;
  readonly #registryUrl: string;
  readonly #auth: { username: string; password: string } | undefined;
  #registry: SchemaRegistry | undefined;
  readonly #byType = new Map<string, EventType>();
  readonly #bySubject = new Map<string, EventType>();
  readonly #idOfType = new Map<string, number>();
  /** Schema IDs of our event types (registered or looked up): as many as the registry holds of ours. */
  readonly #typeOfId = new Map<number, EventType>();
  /**
   * IDs the registry does not have (`missing`) or holds under no subject of ours (`null`), as last
   * answered. Records carry any ID a producer wrote, so this is bounded: the oldest answers go first.
   */
  readonly #unknownIds = new Map<number, 'missing' | null>();
  readonly #lookups = new Map<number, Promise<EventType | null>>();

  constructor(options: EventCodecOptions) {
    this.#registryUrl = options.registryUrl;
    this.#auth = options.auth;
    this.http = new RegistryHttp(options.registryUrl, options.auth);
    for (const event of options.events) {
      for (const e of [event, ...upcastChain(event)]) {
        const known = this.#byType.get(e.type);
        if (known && known !== e)
          throw new ContractError(
            'DUPLICATE_EVENT_TYPE',
            `Two different definitions of ${e.type} were given to EventCodec; define each event type once and import it.`,
          );
        this.#byType.set(e.type, e);
        this.#bySubject.set(e.subject, e);
      }
    }
  }

  /** The underlying registry client (registration, schema lookups); created on first use. */
  get registry(): SchemaRegistry {
    this.#registry ??= createSchemaRegistry(this.#registryUrl, this.#auth);
    return this.#registry;
  }

  /** Event types this codec knows (including older versions reachable by upcasting). */
  get events(): EventType[] {
    return [...this.#byType.values()];
  }

  /**
   * Registers every event type's JSON Schema under its subject, after setting the subject's
   * compatibility level explicitly, and caches the ids. Throws `RegistryError` when the registry
   * refuses a schema (e.g. an incompatible change: run `check-compat` to see why).
   */
  async registerAll(): Promise<Map<string, number>> {
    await Promise.all([...this.#byType.values()].map((e) => this.#register(e)));
    return new Map(this.#idOfType);
  }

  async #register(eventType: EventType): Promise<void> {
    const compatibility = compatibilityLevelOf(eventType);
    await this.http.setSubjectCompatibility(eventType.subject, compatibility);
    let id: number;
    try {
      ({ id } = await this.registry.register(
        { type: 'JSON' as SchemaType.JSON, schema: jsonSchemaTextOf(eventType) },
        // The client's enums have the same string values.
        { subject: eventType.subject, compatibility: compatibility as COMPATIBILITY },
      ));
    } catch (error) {
      throw new ContractError(
        'REGISTRATION_FAILED',
        `Registering the schema of ${eventType.type} under subject ${eventType.subject} (${compatibility}) failed: ${
          (error as Error).message
        }. If the change is incompatible, run \`pnpm --filter @fleet/contracts check-compat\` to see why, and publish a new version with an upcaster instead.`,
        { cause: error },
      );
    }
    this.#idOfType.set(eventType.type, id);
    // Apicurio shares ids between subjects with identical content; the first event type wins, and
    // decode() accepts a writer with the same schema text as the expected type (see #writerFor).
    if (!this.#typeOfId.get(id)) this.#typeOfId.set(id, eventType);
  }

  /** The registry id of an event type's schema, after `registerAll()`. */
  schemaIdOf(eventType: EventType): number {
    const id = this.#idOfType.get(eventType.type);
    if (id === undefined)
      throw new ContractError(
        'NOT_REGISTERED',
        `${eventType.type} has no schema id: it is not among this codec's events, or registerAll() has not run. Pass it in \`events\` and await registerAll() (createProducer's connect() does) before encoding.`,
      );
    return id;
  }

  /** Validates with zod (throws `EventValidationError`, code EVENT_INVALID), then frames the JSON. */
  encodeSync<T>(eventType: EventType<T>, data: T): Buffer {
    const id = this.schemaIdOf(eventType);
    const parsed = eventType.schema.safeParse(data);
    if (!parsed.success) throw new EventValidationError(eventType.type, issuesOf(parsed.error), 'encode');
    const json = JSON.stringify(parsed.data);
    const length = Buffer.byteLength(json);
    const buffer = Buffer.allocUnsafe(HEADER_LENGTH + length);
    buffer.writeUInt8(MAGIC_BYTE, 0);
    buffer.writeInt32BE(id, 1);
    buffer.write(json, HEADER_LENGTH, length, 'utf8');
    return buffer;
  }

  async encode<T>(eventType: EventType<T>, data: T): Promise<Buffer> {
    return this.encodeSync(eventType, data);
  }

  /** The schema id in a framed value; throws `DecodeError` when the frame is wrong. */
  schemaIdIn(buffer: Buffer): number {
    if (buffer.length === 0)
      throw new DecodeError(
        'TRUNCATED',
        'Record value is empty: expected a Confluent-framed event (5-byte prefix + JSON). Was it a tombstone?',
      );
    if (buffer[0] !== MAGIC_BYTE)
      throw new DecodeError(
        'BAD_MAGIC_BYTE',
        `Record value starts with byte ${buffer[0]}, expected magic byte 0 of the Confluent wire format: it was not written by EventCodec / a Schema Registry serializer.`,
      );
    if (buffer.length < HEADER_LENGTH)
      throw new DecodeError(
        'TRUNCATED',
        `Record value is ${buffer.length} bytes, shorter than the 5-byte Confluent prefix (magic byte + schema id).`,
      );
    return buffer.readInt32BE(1);
  }

  /**
   * Decodes a record value as `expected`. When the value was written as an older version that
   * `expected` can upcast from, it is validated against that version's schema and upcast. Pass the
   * envelope's `ce_type` as `type` to have it cross-checked against the schema id.
   * No network I/O when the schema id is known (every registered id is); an unknown id is looked up
   * once and the answer cached.
   */
  async decode<T>(buffer: Buffer, expected: EventType<T>, options?: { type?: string }): Promise<T> {
    const id = this.schemaIdIn(buffer);
    const writer = await this.#writerOf(id);
    return this.#decodeAs(buffer, id, writerFor(writer, expected, this.#byType, id, options?.type), expected);
  }

  /** Like `decode`, when the caller does not know the type: the schema id tells it. */
  async decodeAny(buffer: Buffer): Promise<DecodedEvent> {
    const id = this.schemaIdIn(buffer);
    const writer = await this.#writerOf(id);
    if (!writer) throw unknownEvent(id);
    return { eventType: writer, data: this.#decodeAs(buffer, id, writer, writer) };
  }

  /** Whether `decode` of this buffer needs no registry call (its schema id is cached). */
  isKnown(buffer: Buffer): boolean {
    return buffer.length >= HEADER_LENGTH && this.#typeOfId.has(buffer.readInt32BE(1));
  }

  #decodeAs<T>(buffer: Buffer, id: number, writer: EventType, expected: EventType<T>): T {
    let json: unknown;
    try {
      json = JSON.parse(buffer.toString('utf8', HEADER_LENGTH));
    } catch (error) {
      throw new DecodeError(
        'UNDECODABLE',
        `Record value with schema id ${id} (${writer.type}) is not valid JSON after the 5-byte prefix: ${(error as Error).message}.`,
        { cause: error },
      );
    }
    const parsed = writer.schema.safeParse(json);
    if (!parsed.success) throw new EventValidationError(writer.type, issuesOf(parsed.error), 'decode');
    if (writer.type === expected.type) return parsed.data as T;
    return upcastTo(expected, writer, parsed.data);
  }

  /** The writer of a schema ID: cached, or the registry's last answer, or asked now. */
  async #writerOf(id: number): Promise<EventType | null> {
    const known = this.#typeOfId.get(id);
    if (known) return known;
    const unknown = this.#unknownIds.get(id);
    if (unknown === 'missing') throw unknownSchemaId(id, this.http.baseUrl);
    if (unknown === null) return null;
    return this.#lookup(id);
  }

  #rememberUnknown(id: number, answer: 'missing' | null): void {
    this.#unknownIds.delete(id);
    this.#unknownIds.set(id, answer);
    if (this.#unknownIds.size > MAX_UNKNOWN_IDS) {
      const oldest = this.#unknownIds.keys().next().value;
      if (oldest !== undefined) this.#unknownIds.delete(oldest);
    }
  }

  /** How many unknown IDs are remembered now (bounded by MAX_UNKNOWN_IDS). */
  get unknownIdsRemembered(): number {
    return this.#unknownIds.size;
  }

  #lookup(id: number): Promise<EventType | null> {
    const pending = this.#lookups.get(id);
    if (pending) return pending;
    const lookup = this.http
      .subjectsOfSchemaId(id)
      .then((subjects) => {
        if (subjects.length === 0) {
          this.#rememberUnknown(id, 'missing');
          throw unknownSchemaId(id, this.http.baseUrl);
        }
        const writer =
          subjects.map((s) => this.#bySubject.get(s.subject)).find((e) => e !== undefined) ?? null;
        if (writer) this.#typeOfId.set(id, writer);
        else this.#rememberUnknown(id, null);
        return writer;
      })
      // Only the registry's answers are remembered; network trouble is asked again next time.
      .finally(() => this.#lookups.delete(id));
    this.#lookups.set(id, lookup);
    return lookup;
  }
}

/** How many unknown schema IDs a codec remembers (a producer can write any). */
export const MAX_UNKNOWN_IDS = 1_000;

function writerFor(
  writer: EventType | null | undefined,
  expected: EventType,
  known: ReadonlyMap<string, EventType>,
  id: number,
  envelopeType: string | undefined,
): EventType {
  // An id the registry has, but under no subject of ours: trust the envelope type if it names one.
  const resolved = writer ?? (envelopeType ? known.get(envelopeType) : undefined);
  if (resolved === undefined) {
    if (writer === null) throw unknownEvent(id);
    throw unknownSchemaId(id, '');
  }
  // Identical schema text under two subjects can share an id (Apicurio): the envelope decides.
  if (envelopeType && envelopeType !== resolved.type) {
    const named = known.get(envelopeType);
    if (named && jsonSchemaTextOf(named) === jsonSchemaTextOf(resolved)) return check(named, expected, id);
    throw new DecodeError(
      'TYPE_MISMATCH',
      `Envelope says ${envelopeType} but schema id ${id} belongs to ${resolved.type}: the producer set a wrong ce_type or value.`,
    );
  }
  return check(resolved, expected, id);
}

function check(writer: EventType, expected: EventType, id: number): EventType {
  if (writer.type === expected.type) return writer;
  if (upcastChain(expected).some((e) => e.type === writer.type)) return writer;
  throw new DecodeError(
    'UNEXPECTED_TYPE',
    `Record holds ${writer.type} (schema id ${id}), which is not ${expected.type} nor a version it upcasts from. Dispatch on the envelope's ce_type (EventCatalog.byType) before decoding.`,
  );
}

function unknownSchemaId(id: number, registryUrl: string): DecodeError {
  return new DecodeError(
    'UNKNOWN_SCHEMA_ID',
    `Schema id ${id} is not in the Schema Registry${registryUrl ? ` at ${registryUrl}` : ''}: the record was written against another registry, or the schema was deleted.`,
  );
}

function unknownEvent(id: number): DecodeError {
  return new DecodeError(
    'UNEXPECTED_TYPE',
    `Schema id ${id} belongs to no event type this codec knows: add the event type to the codec's events (update @fleet/contracts).`,
  );
}

/** zod issues as field paths and reasons. */
export function issuesOf(error: z.ZodError): FieldIssue[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}
