/** A dead letter as GET /admin/dlq/:partition/:offset returns it. */
export interface AdminDeadLetter {
  processor: string;
  dlqTopic: string;
  partition: number;
  offset: number;
  timestamp: string;
  eventId?: string;
  eventType?: string;
  errorCode?: string;
  errorClass?: string;
  errorMessage?: string;
  attempts?: number;
  failedAt?: string;
  source: { topic?: string; partition?: number; offset?: number };
  key: string | null;
  headers: Record<string, string>;
  value: { base64: string; bytes: number } | null;
}

export type Payload =
  | { format: 'none' }
  | { format: 'confluent-json'; schemaId: number; json: unknown; bytes: number }
  | { format: 'confluent'; schemaId: number; text: string; bytes: number; problem: string }
  | { format: 'json'; json: unknown; bytes: number }
  | { format: 'text'; text: string; bytes: number }
  | { format: 'binary'; hex: string; bytes: number; problem: string };

/** A dead letter taken apart for an operator: where it is, why, the envelope, the payload, every header. */
export interface DecodedDeadLetter {
  processor: string;
  position: { dlqTopic: string; partition: number; offset: number; writtenAt: string };
  key: string | null;
  reason: {
    code: string | undefined;
    errorClass: string | undefined;
    message: string | undefined;
    attempts: number | undefined;
    failedAt: string | undefined;
    source: { topic?: string | undefined; partition?: number | undefined; offset?: number | undefined };
  };
  /** The CloudEvents attributes (ce_* headers), by attribute name. */
  envelope: Record<string, string>;
  payload: Payload;
  /** Every header as the record carries it, in order. */
  headers: { name: string; value: string; kind: 'envelope' | 'dead-letter' | 'other' }[];
}

const PREVIEW_BYTES = 64 * 1024;

export function decodePayload(value: AdminDeadLetter['value']): Payload {
  if (!value) return { format: 'none' };
  const buffer = Buffer.from(value.base64, 'base64');
  const bytes = value.bytes;
  // Confluent wire format: magic byte 0, 4-byte big-endian schema ID, then the JSON document.
  if (buffer.length >= 5 && buffer[0] === 0) {
    const schemaId = buffer.readUInt32BE(1);
    const text = buffer.subarray(5, 5 + PREVIEW_BYTES).toString('utf8');
    try {
      return { format: 'confluent-json', schemaId, json: JSON.parse(buffer.toString('utf8', 5)), bytes };
    } catch (error) {
      return { format: 'confluent', schemaId, text, bytes, problem: `not JSON: ${(error as Error).message}` };
    }
  }
  const text = buffer.toString('utf8');
  if (Buffer.from(text, 'utf8').equals(buffer) && !text.includes('\u0000')) {
    try {
      return { format: 'json', json: JSON.parse(text), bytes };
    } catch {
      return { format: 'text', text: text.slice(0, PREVIEW_BYTES), bytes };
    }
  }
  return {
    format: 'binary',
    hex: buffer.subarray(0, 1024).toString('hex'),
    bytes,
    problem:
      buffer.length > 0 && buffer[0] !== 0
        ? `starts with byte ${buffer[0]}, not the Confluent magic byte 0`
        : 'shorter than the 5-byte Confluent prefix',
  };
}

export function decodeDeadLetter(letter: AdminDeadLetter): DecodedDeadLetter {
  const headers = Object.entries(letter.headers ?? {}).map(([name, value]) => ({
    name,
    value,
    kind: name.startsWith('ce_')
      ? ('envelope' as const)
      : name.startsWith('dlq_')
        ? ('dead-letter' as const)
        : ('other' as const),
  }));
  return {
    processor: letter.processor,
    position: {
      dlqTopic: letter.dlqTopic,
      partition: letter.partition,
      offset: letter.offset,
      writtenAt: letter.timestamp,
    },
    key: letter.key,
    reason: {
      code: letter.errorCode,
      errorClass: letter.errorClass,
      message: letter.errorMessage,
      attempts: letter.attempts,
      failedAt: letter.failedAt,
      source: letter.source ?? {},
    },
    envelope: Object.fromEntries(
      headers.filter((h) => h.kind === 'envelope').map((h) => [h.name.slice(3), h.value]),
    ),
    payload: decodePayload(letter.value),
    headers,
  };
}
