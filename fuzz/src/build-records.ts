import { envelopeToHeaders, newEnvelope } from '@fleet/contracts';
import type { IHeaders } from 'kafkajs';
import type {
  GarbageValue,
  HeaderMutation,
  HeaderValueSpec,
  Junk,
  KeySpec,
  MovementSpec,
  MovementType,
  RecordSpec,
} from './record-arbitraries.ts';

/**
 * What the runtime must do with a record. `applied-or-dead`: a hostile record may be valid after all
 * (then it is applied like any event) or not (then it is in the DLQ); nothing else is allowed.
 */
export type Expectation =
  | 'applied'
  | 'duplicate'
  | 'skipped'
  | 'dead'
  | 'applied-or-dead'
  | 'skipped-or-dead';

export interface Movement {
  /** The event ID as a consumer reads it (the first `ce_id` value, decoded as UTF-8). */
  id: string;
  type: MovementType;
  accountId: string;
  amount: number;
}

export interface FuzzRecord {
  index: number;
  kind: RecordSpec['kind'];
  partition: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
  expect: Expectation;
  /** What it changes when it is applied. */
  movement?: Movement;
}

/** How to frame a value: the registered schema ID of each movement type. */
export interface BuildContext {
  schemaIds: Record<MovementType, number>;
  typeNames: Record<MovementType, string>;
  runId: string;
}

/** Turns specs into the exact bytes to produce, each with what must become of it. */
export function buildRecords(specs: RecordSpec[], ctx: BuildContext): FuzzRecord[] {
  const records: FuzzRecord[] = [];
  const valid: FuzzRecord[] = [];
  for (const [index, spec] of specs.entries()) {
    const record = buildOne(spec, index, ctx, valid);
    records.push(record);
    if (record.kind === 'valid') valid.push(record);
  }
  return records;
}

function buildOne(spec: RecordSpec, index: number, ctx: BuildContext, valid: FuzzRecord[]): FuzzRecord {
  const id = `${ctx.runId}-${index}`;
  switch (spec.kind) {
    case 'valid':
    case 'poison': {
      const movement =
        spec.kind === 'poison'
          ? { ...spec.movement, type: 'Deposited' as const, amount: 666 }
          : spec.movement;
      return {
        index,
        kind: spec.kind,
        partition: spec.partition,
        key: keyOf(movement),
        value: frame(ctx.schemaIds[movement.type], movementJson(movement, { kind: 'none' })),
        headers: envelopeFor(ctx, movement.type, id, movement.accountId),
        expect: spec.kind === 'poison' ? 'dead' : 'applied',
        ...(spec.kind === 'valid' ? { movement: movementOf(id, movement) } : {}),
      };
    }
    case 'duplicate': {
      const original = valid[spec.of % Math.max(valid.length, 1)];
      if (!original) return { ...buildOne(validFallback(), index, ctx, valid), kind: 'duplicate' };
      return { ...original, index, kind: 'duplicate', expect: 'duplicate' };
    }
    case 'hostile-data':
      return {
        index,
        kind: spec.kind,
        partition: spec.partition,
        key: keyOf(spec.movement),
        value: frame(ctx.schemaIds[spec.movement.type], movementJson(spec.movement, spec.junk)),
        // The subject is not where this record is hostile: keep it storable.
        headers: envelopeFor(ctx, spec.movement.type, id, 'hostile'),
        expect: 'applied-or-dead',
        movement: movementOf(id, spec.movement),
      };
    case 'hostile-headers': {
      const headers = envelopeFor(ctx, spec.movement.type, id, spec.movement.accountId);
      for (const m of spec.mutations) mutate(headers, m, id);
      return {
        index,
        kind: spec.kind,
        partition: spec.partition,
        key: keyOf(spec.movement),
        value: frame(ctx.schemaIds[spec.movement.type], movementJson(spec.movement, { kind: 'none' })),
        headers,
        expect: 'applied-or-dead',
        movement: movementOf(firstValueText(headers.ce_id) ?? id, spec.movement),
      };
    }
    case 'garbage-value':
      return {
        index,
        kind: spec.kind,
        partition: spec.partition,
        key: Buffer.from(`g-${index}`),
        value: garbageBytes(spec.value, ctx.schemaIds[spec.type]),
        headers: envelopeFor(ctx, spec.type, id, 'garbage'),
        expect: 'dead',
      };
    case 'foreign-type':
      return {
        index,
        kind: spec.kind,
        partition: spec.partition,
        key: null,
        value: Buffer.from(spec.value),
        headers: envelopeToHeaders(newEnvelope({ id, type: spec.type, source: '/fuzz' })),
        expect: 'skipped',
      };
    case 'no-envelope': {
      const headers: IHeaders = {};
      for (const [name, bytes] of spec.headers) headers[`x${name}`] = Buffer.from(bytes);
      return {
        index,
        kind: spec.kind,
        partition: spec.partition,
        key: null,
        value: spec.value ? Buffer.from(spec.value) : null,
        headers,
        expect: 'dead',
      };
    }
  }
}

function validFallback(): RecordSpec {
  return {
    kind: 'valid',
    partition: 0,
    movement: { type: 'Deposited', accountId: 'acct-0', amount: 1, seq: 0, key: { kind: 'account' } },
  };
}

function envelopeFor(ctx: BuildContext, type: MovementType, id: string, subject: string): IHeaders {
  return envelopeToHeaders(newEnvelope({ id, type: ctx.typeNames[type], source: '/fuzz', subject }));
}

function keyOf(movement: MovementSpec): Buffer | null {
  const key: KeySpec = movement.key;
  if (key.kind === 'null') return null;
  if (key.kind === 'bytes') return Buffer.from(key.bytes);
  return Buffer.from(movement.accountId);
}

// PostgreSQL receives text as UTF-8: a lone surrogate arrives as U+FFFD, so the row holds that.
function movementOf(id: string, m: MovementSpec): Movement {
  return { id, type: m.type, accountId: m.accountId.toWellFormed(), amount: m.amount };
}

function movementJson(m: MovementSpec, junk: Junk): string {
  const fields = `"accountId":${JSON.stringify(m.accountId)},"amount":${m.amount},"seq":${m.seq}`;
  switch (junk.kind) {
    case 'none':
      return `{${fields}}`;
    case 'proto':
      return `{"__proto__":{"amount":1,"polluted":true},${fields},"constructor":{"prototype":{"x":1}}}`;
    case 'nesting':
      return `{${fields},"deep":${'['.repeat(junk.depth)}${']'.repeat(junk.depth)}}`;
    case 'extra':
      return `{"extra":${JSON.stringify(junk.json) ?? 'null'},${fields}}`;
  }
}

/** Confluent wire format: magic byte 0, the schema ID (big-endian int32), then the JSON. */
function frame(schemaId: number, json: string): Buffer {
  const prefix = Buffer.alloc(5);
  prefix.writeInt32BE(schemaId, 1);
  return Buffer.concat([prefix, Buffer.from(json)]);
}

function garbageBytes(value: GarbageValue, schemaId: number): Buffer | null {
  switch (value.kind) {
    case 'empty':
      return Buffer.alloc(0);
    case 'null':
      return null;
    case 'bytes':
      return Buffer.from(value.bytes);
    case 'wire-json':
      return frame(schemaId, JSON.stringify(value.json) ?? 'null');
    case 'wire-text':
      return frame(schemaId, value.text);
    case 'unknown-schema-id':
      return frame(value.id, '{}');
    case 'truncated':
      return frame(schemaId, '').subarray(0, value.length);
  }
}

function headerBytes(value: HeaderValueSpec): IHeaders[string] {
  if (value.kind === 'text') return value.text;
  if (value.kind === 'bytes') return Buffer.from(value.bytes);
  return value.values;
}

function mutate(headers: IHeaders, m: HeaderMutation, id: string): void {
  switch (m.kind) {
    case 'id-suffix': {
      const suffix = m.suffix;
      // The unique prefix stays first, so no two records share an ID whatever the suffix decodes to.
      headers.ce_id =
        suffix.kind === 'bytes'
          ? Buffer.concat([Buffer.from(`${id}~`), Buffer.from(suffix.bytes)])
          : suffix.kind === 'text'
            ? `${id}~${suffix.text}`
            : [`${id}~${suffix.values[0] ?? ''}`, ...suffix.values.slice(1)];
      return;
    }
    case 'set':
      headers[m.header] = headerBytes(m.value);
      return;
    case 'drop':
      delete headers[m.header];
      return;
    case 'extra': {
      const value = 'v'.repeat(m.valueLength);
      if (m.repeatName) headers['x-fuzz'] = Array.from({ length: m.count }, () => value);
      else for (let i = 0; i < m.count; i++) headers[`x-fuzz-${i}`] = value;
      return;
    }
  }
}

/** A header's first value as a consumer decodes it (UTF-8). */
export function firstValueText(value: IHeaders[string]): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined) return undefined;
  return typeof first === 'string' ? Buffer.from(first).toString('utf8') : first.toString('utf8');
}
