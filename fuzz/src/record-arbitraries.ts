import fc from 'fast-check';

/**
 * What a fuzzed record is, as plain data (fast-check shrinks it); `build-records.ts` turns it into
 * bytes. Every kind says what the runtime must do with it, so the oracle never asks the code under
 * test: a valid event is applied, garbage is dead-lettered, a foreign type is skipped, and a hostile
 * one is either applied (then it counts like any event) or dead-lettered, never anything else.
 */
export type RecordSpec =
  | { kind: 'valid'; partition: number; movement: MovementSpec }
  /** An earlier valid record again, unchanged, on its partition (a producer retry). */
  | { kind: 'duplicate'; of: number }
  /** Valid headers; a payload with hostile strings, extreme numbers, `__proto__`, deep nesting. */
  | { kind: 'hostile-data'; partition: number; movement: MovementSpec; junk: Junk }
  /** A valid event under hostile headers: ids, trace context, thousands of headers, raw bytes. */
  | { kind: 'hostile-headers'; partition: number; movement: MovementSpec; mutations: HeaderMutation[] }
  /** A valid envelope of a routed type over a value that is no event. */
  | { kind: 'garbage-value'; partition: number; type: MovementType; value: GarbageValue }
  /** A valid envelope of a type this processor does not route. */
  | { kind: 'foreign-type'; partition: number; type: string; value: number[] }
  /** No envelope at all: arbitrary headers (or none) and bytes. */
  | { kind: 'no-envelope'; partition: number; headers: [string, number[]][]; value: number[] | null }
  /** The ledger's poison amount: its handler always throws. */
  | { kind: 'poison'; partition: number; movement: MovementSpec };

export type MovementType = 'Deposited' | 'Withdrawn';

export interface MovementSpec {
  type: MovementType;
  accountId: string;
  amount: number;
  seq: number;
  key: KeySpec;
}

export type KeySpec = { kind: 'account' } | { kind: 'null' } | { kind: 'bytes'; bytes: number[] };

export type Junk =
  | { kind: 'none' }
  | { kind: 'proto' }
  | { kind: 'nesting'; depth: number }
  | { kind: 'extra'; json: unknown };

export type HeaderValueSpec =
  | { kind: 'text'; text: string }
  | { kind: 'bytes'; bytes: number[] }
  | { kind: 'repeated'; values: string[] };

export type HeaderMutation =
  /** ce_id keeps a unique printable prefix, so the event's ID stays unique whatever follows. */
  | { kind: 'id-suffix'; suffix: HeaderValueSpec }
  | { kind: 'set'; header: SettableHeader; value: HeaderValueSpec }
  | { kind: 'drop'; header: RequiredHeader }
  | { kind: 'extra'; count: number; valueLength: number; repeatName: boolean };

export const settableHeaders = [
  'ce_correlationid',
  'ce_causationid',
  'ce_subject',
  'ce_source',
  'ce_time',
  'ce_specversion',
  'traceparent',
  'tracestate',
  'content-type',
] as const;
export type SettableHeader = (typeof settableHeaders)[number];
export const requiredHeaders = ['ce_id', 'ce_source', 'ce_type', 'ce_specversion', 'ce_time'] as const;
export type RequiredHeader = (typeof requiredHeaders)[number];

export type GarbageValue =
  | { kind: 'empty' }
  | { kind: 'null' }
  | { kind: 'bytes'; bytes: number[] }
  /** The right magic byte and schema ID, then JSON that is not a movement. */
  | { kind: 'wire-json'; json: unknown }
  | { kind: 'wire-text'; text: string }
  | { kind: 'unknown-schema-id'; id: number }
  | { kind: 'truncated'; length: number };

// Characters and strings that have broken, or could break, something downstream: NUL (Postgres text),
// lone surrogates (no UTF-8), escape sequences, invisible and bidi characters, prototype names, SQL.
const hostilePieces = [
  '\u0000',
  '\ud800',
  '\udfff',
  '\udc00x',
  '\u001b[2J',
  '\u0007',
  '\u007f',
  '\u0085',
  '\u200b',
  '\u202e',
  '\ufeff',
  '\uffff',
  '__proto__',
  'constructor',
  'toString',
  '🙂',
  'é',
  '\t',
  '\r\n',
  "'; drop table balances; --",
  '\\u0000',
  '%00',
  '{}',
];

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.string({ unit: 'binary', maxLength: 24 }), weight: 4 },
  {
    arbitrary: fc
      .array(fc.oneof(fc.constantFrom(...hostilePieces), fc.string({ maxLength: 4 })), { maxLength: 6 })
      .map((parts) => parts.join('')),
    weight: 6,
  },
  { arbitrary: fc.constantFrom('', ' ', '\u0000', '\ud800'), weight: 2 },
  // Long values: past the btree row limit (2,704 bytes) and the envelope's length rule.
  { arbitrary: fc.integer({ min: 250, max: 100_000 }).map((n) => 'y'.repeat(n)), weight: 1 },
);

const byteArray = (maxLength: number) => fc.array(fc.integer({ min: 0, max: 255 }), { maxLength });

const headerValue: fc.Arbitrary<HeaderValueSpec> = fc.oneof(
  { arbitrary: hostileString.map((text) => ({ kind: 'text' as const, text })), weight: 5 },
  { arbitrary: byteArray(32).map((bytes) => ({ kind: 'bytes' as const, bytes })), weight: 2 },
  {
    arbitrary: fc
      .array(hostileString, { minLength: 2, maxLength: 3 })
      .map((values) => ({ kind: 'repeated' as const, values })),
    weight: 1,
  },
);

const key: fc.Arbitrary<KeySpec> = fc.oneof(
  { arbitrary: fc.constant({ kind: 'account' as const }), weight: 6 },
  { arbitrary: fc.constant({ kind: 'null' as const }), weight: 1 },
  { arbitrary: byteArray(64).map((bytes) => ({ kind: 'bytes' as const, bytes })), weight: 1 },
);

const movementType = fc.constantFrom<MovementType>('Deposited', 'Withdrawn');
const partition = fc.integer({ min: 0, max: 2 });
const notPoison = (amount: number) => (amount === 666 ? 667 : amount);

const plainMovement: fc.Arbitrary<MovementSpec> = fc.record({
  type: movementType,
  accountId: fc.integer({ min: 0, max: 40 }).map((n) => `acct-${n}`),
  amount: fc.integer({ min: 1, max: 500 }).map(notPoison),
  seq: fc.nat({ max: 10_000 }),
  key,
});

const hostileMovement: fc.Arbitrary<MovementSpec> = fc.record({
  type: movementType,
  accountId: hostileString,
  // Within ±2^40 the oracle's sums stay exact; ±2^31 overflows the history's integer column.
  amount: fc
    .oneof(
      fc.integer({ min: -1_000, max: 1_000 }),
      fc.constantFrom(0, 2 ** 31, -(2 ** 31) - 1, 2 ** 31 - 1, 2 ** 40, -(2 ** 40)),
    )
    .map(notPoison),
  seq: fc.oneof(fc.nat({ max: 100 }), fc.constantFrom(2 ** 31, 2 ** 40)),
  key,
});

const junk: fc.Arbitrary<Junk> = fc.oneof(
  { arbitrary: fc.constant({ kind: 'none' as const }), weight: 4 },
  { arbitrary: fc.constant({ kind: 'proto' as const }), weight: 1 },
  {
    arbitrary: fc.integer({ min: 10, max: 5_000 }).map((depth) => ({ kind: 'nesting' as const, depth })),
    weight: 1,
  },
  { arbitrary: fc.json({ depthSize: 'small' }).map((json) => ({ kind: 'extra' as const, json })), weight: 1 },
);

const mutation: fc.Arbitrary<HeaderMutation> = fc.oneof(
  { arbitrary: headerValue.map((suffix) => ({ kind: 'id-suffix' as const, suffix })), weight: 3 },
  {
    arbitrary: fc.record({
      kind: fc.constant('set' as const),
      header: fc.constantFrom(...settableHeaders),
      value: headerValue,
    }),
    weight: 5,
  },
  {
    arbitrary: fc.constantFrom(...requiredHeaders).map((header) => ({ kind: 'drop' as const, header })),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('extra' as const),
      count: fc.oneof(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 500, max: 3_000 })),
      valueLength: fc.integer({ min: 0, max: 64 }),
      repeatName: fc.boolean(),
    }),
    weight: 1,
  },
);

const garbage: fc.Arbitrary<GarbageValue> = fc.oneof(
  fc.constant({ kind: 'empty' as const }),
  fc.constant({ kind: 'null' as const }),
  byteArray(200).map((bytes) => ({ kind: 'bytes' as const, bytes })),
  fc
    .json({ depthSize: 'small' })
    .filter((json) => !looksLikeMovement(json))
    .map((json) => ({ kind: 'wire-json' as const, json })),
  fc.string({ unit: 'binary', maxLength: 60 }).map((text) => ({ kind: 'wire-text' as const, text })),
  fc.integer({ min: 100_000, max: 2 ** 31 - 1 }).map((id) => ({ kind: 'unknown-schema-id' as const, id })),
  fc.integer({ min: 0, max: 4 }).map((length) => ({ kind: 'truncated' as const, length })),
);

/** Whether JSON could pass the movement schema (such values are not garbage). */
function looksLikeMovement(json: unknown): boolean {
  return (
    typeof json === 'object' && json !== null && 'accountId' in json && 'amount' in json && 'seq' in json
  );
}

export const recordSpec: fc.Arbitrary<RecordSpec> = fc.oneof(
  {
    arbitrary: fc.record({ kind: fc.constant('valid' as const), partition, movement: plainMovement }),
    weight: 40,
  },
  { arbitrary: fc.nat().map((of) => ({ kind: 'duplicate' as const, of })), weight: 6 },
  {
    arbitrary: fc.record({
      kind: fc.constant('hostile-data' as const),
      partition,
      movement: hostileMovement,
      junk,
    }),
    weight: 14,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('hostile-headers' as const),
      partition,
      movement: plainMovement,
      mutations: fc.array(mutation, { minLength: 1, maxLength: 3 }),
    }),
    weight: 16,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('garbage-value' as const),
      partition,
      type: movementType,
      value: garbage,
    }),
    weight: 10,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('foreign-type' as const),
      partition,
      type: fc.stringMatching(/^[a-z][a-zA-Z0-9.]{2,40}$/).map((t) => `other.${t}`),
      value: byteArray(40),
    }),
    weight: 4,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('no-envelope' as const),
      partition,
      headers: fc.array(fc.tuple(fc.string({ maxLength: 12 }), byteArray(24)), { maxLength: 6 }),
      value: fc.option(byteArray(64), { nil: null }),
    }),
    weight: 5,
  },
  {
    arbitrary: fc.record({ kind: fc.constant('poison' as const), partition, movement: plainMovement }),
    weight: 2,
  },
);

/** `count` records, mostly valid events, every hostile class mixed in. */
export const recordSpecs = (count: number) => fc.array(recordSpec, { minLength: count, maxLength: count });
