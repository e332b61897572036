import { randomUUID } from 'node:crypto';
import type { IHeaders } from 'kafkajs';
import { EnvelopeError } from './contract-errors.ts';
import { storableTextProblems } from './storable-text.ts';

/**
 * CloudEvents 1.0 attributes of one record, carried in Kafka headers (protocol binding, binary mode):
 * the record value is the event data only (Confluent-framed JSON, see `EventCodec`).
 */
export interface EventEnvelope {
  /** Unique per event; consumers deduplicate on it. */
  id: string;
  /** URI-reference of the producing system, e.g. `/fleet/checkout`. */
  source: string;
  /** CloudEvents type, e.g. `fleet.orders.OrderPlaced.v1`. */
  type: string;
  specversion: '1.0';
  /** RFC 3339 timestamp of the occurrence. */
  time: string;
  /** What the event is about, e.g. the order id. */
  subject?: string;
  /** `datacontenttype` of the value. `application/json`: JSON behind the 5-byte Confluent prefix. */
  contentType: string;
  /** The business flow this event belongs to; the first event's id when not given. */
  correlationId: string;
  /** The id of the event (or command) that caused this one. */
  causationId?: string;
  /** W3C trace context. */
  traceparent?: string;
  tracestate?: string;
}

export const DEFAULT_CONTENT_TYPE = 'application/json';

/** Header names, as the CloudEvents Kafka binding spells them (extensions lower-case, `ce_` prefix). */
export const envelopeHeaders = {
  id: 'ce_id',
  source: 'ce_source',
  type: 'ce_type',
  specversion: 'ce_specversion',
  time: 'ce_time',
  subject: 'ce_subject',
  contentType: 'content-type',
  correlationId: 'ce_correlationid',
  causationId: 'ce_causationid',
  traceparent: 'traceparent',
  tracestate: 'tracestate',
} as const satisfies Record<keyof EventEnvelope, string>;

export function envelopeToHeaders(env: EventEnvelope): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [field, header] of Object.entries(envelopeHeaders) as [keyof EventEnvelope, string][]) {
    const value = env[field];
    if (value !== undefined) headers[header] = value;
  }
  return headers;
}

export interface NewEnvelopeOptions {
  type: string;
  source: string;
  subject?: string;
  correlationId?: string;
  causationId?: string;
  id?: string;
  time?: Date;
  contentType?: string;
  traceparent?: string;
  tracestate?: string;
}

/** A fresh envelope: id defaults to a random UUID, correlationId to the id, time to now. */
export function newEnvelope(opts: NewEnvelopeOptions): EventEnvelope {
  const id = opts.id ?? randomUUID();
  const env: EventEnvelope = {
    id,
    source: opts.source,
    type: opts.type,
    specversion: '1.0',
    time: (opts.time ?? new Date()).toISOString(),
    contentType: opts.contentType ?? DEFAULT_CONTENT_TYPE,
    correlationId: opts.correlationId ?? id,
  };
  if (opts.subject !== undefined) env.subject = opts.subject;
  if (opts.causationId !== undefined) env.causationId = opts.causationId;
  if (opts.traceparent !== undefined) env.traceparent = opts.traceparent;
  if (opts.tracestate !== undefined) env.tracestate = opts.tracestate;
  return env;
}

const rfc3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Reads the envelope from record headers; throws `EnvelopeError` listing every problem at once. */
export function envelopeFromHeaders(headers: IHeaders | undefined): EventEnvelope {
  const h = headers ?? {};
  const read = (name: string): string | undefined => headerValue(h[name]);
  const problems: string[] = [];

  const required = (field: 'id' | 'source' | 'type'): string => {
    const value = read(envelopeHeaders[field]);
    if (value === undefined) problems.push(`${envelopeHeaders[field]} is missing`);
    else if (value.trim() === '') problems.push(`${envelopeHeaders[field]} is empty`);
    else checkText(envelopeHeaders[field], value, problems);
    return value ?? '';
  };
  const optional = (field: 'subject' | 'correlationId' | 'causationId'): string | undefined => {
    const value = read(envelopeHeaders[field]);
    if (value !== undefined) checkText(envelopeHeaders[field], value, problems);
    return value;
  };
  const id = required('id');
  const source = required('source');
  const type = required('type');
  const subject = optional('subject');
  const correlationId = optional('correlationId');
  const causationId = optional('causationId');

  const specversion = read(envelopeHeaders.specversion);
  if (specversion === undefined) problems.push('ce_specversion is missing (must be "1.0")');
  else if (specversion !== '1.0')
    problems.push(`ce_specversion is ${quoted(specversion)}, must be exactly "1.0"`);

  const time = read(envelopeHeaders.time);
  if (time === undefined) problems.push('ce_time is missing (RFC 3339 timestamp)');
  else if (!rfc3339.test(time) || Number.isNaN(Date.parse(time)))
    problems.push(`ce_time ${quoted(time)} is not an RFC 3339 timestamp`);

  if (problems.length > 0) throw new EnvelopeError(problems);

  const env: EventEnvelope = {
    id,
    source,
    type,
    specversion: '1.0',
    time: time as string,
    contentType: read(envelopeHeaders.contentType) ?? DEFAULT_CONTENT_TYPE,
    correlationId: correlationId || id,
  };
  if (subject !== undefined) env.subject = subject;
  if (causationId !== undefined) env.causationId = causationId;
  // W3C Trace Context: a malformed traceparent is ignored (the trace restarts), never an error;
  // tracestate means nothing without a valid traceparent.
  const traceparent = read(envelopeHeaders.traceparent);
  if (traceparent !== undefined && traceparentFormat.test(traceparent)) {
    env.traceparent = traceparent;
    const tracestate = read(envelopeHeaders.tracestate);
    if (tracestate !== undefined && tracestateFormat.test(tracestate)) env.tracestate = tracestate;
  }
  return env;
}

/**
 * Envelope attributes are identifiers that consumers store (the dedupe key, the correlation of a
 * follow-on), so they must be storable anywhere: at most this many characters, and storable text
 * (`storableText`: no NUL, lone surrogate or control character). Stricter than CloudEvents, which
 * only asks for a non-empty string.
 */
export const MAX_ENVELOPE_ATTRIBUTE_LENGTH = 256;

const traceparentFormat = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;
const tracestateFormat = /^[\x20-\x7e]{0,512}$/;

/** A header value for an error message: escaped, and cut short (a hostile one may be megabytes). */
const quoted = (value: string) => JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);

function checkText(header: string, value: string, problems: string[]): void {
  if (value.length > MAX_ENVELOPE_ATTRIBUTE_LENGTH)
    problems.push(
      `${header} is ${value.length} characters long, at most ${MAX_ENVELOPE_ATTRIBUTE_LENGTH} allowed`,
    );
  for (const problem of storableTextProblems(value)) problems.push(`${header} ${problem}`);
}

/** A header's value as text; a repeated header counts by its first value. */
export function headerValue(raw: IHeaders[string]): string | undefined {
  const first = Array.isArray(raw) ? raw[0] : raw;
  if (first === undefined) return undefined;
  return typeof first === 'string' ? first : first.toString('utf8');
}
