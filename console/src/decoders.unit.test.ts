import { describe, expect, it } from 'vitest';
import { processorEvents } from './asyncapi-view.ts';
import { decodeDeadLetter, decodePayload } from './dead-letter-view.ts';
import { instanceFigures, parseMetrics } from './metrics-text.ts';
import { parseProcStats } from './proc-stats.ts';

const confluent = (schemaId: number, json: unknown) => {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(schemaId, 1);
  return Buffer.concat([head, Buffer.from(JSON.stringify(json))]);
};
const value = (b: Buffer) => ({ base64: b.toString('base64'), bytes: b.length });

describe('dead letters, decoded', () => {
  it('takes a dead letter apart: reason, envelope, Confluent payload, every header in order', () => {
    const decoded = decodeDeadLetter({
      processor: 'ledger',
      dlqTopic: 'ledger.dlq',
      partition: 2,
      offset: 7,
      timestamp: '2026-01-01T00:00:01.000Z',
      errorCode: 'HANDLER_FAILED',
      errorClass: 'Error',
      errorMessage: 'amount 666 is poison',
      attempts: 3,
      failedAt: '2026-01-01T00:00:00.000Z',
      source: { topic: 'accounts', partition: 1, offset: 40 },
      key: 'acct-1',
      headers: {
        ce_id: 'e-1',
        ce_type: 'x.Deposited.v1',
        'content-type': 'application/json',
        dlq_error_code: 'HANDLER_FAILED',
      },
      value: value(confluent(97, { amount: 666 })),
    });
    expect(decoded.reason).toMatchObject({ code: 'HANDLER_FAILED', attempts: 3, source: { offset: 40 } });
    expect(decoded.envelope).toEqual({ id: 'e-1', type: 'x.Deposited.v1' });
    expect(decoded.payload).toEqual({
      format: 'confluent-json',
      schemaId: 97,
      json: { amount: 666 },
      bytes: 19,
    });
    expect(decoded.headers.map((h) => `${h.name}:${h.kind}`)).toEqual([
      'ce_id:envelope',
      'ce_type:envelope',
      'content-type:other',
      'dlq_error_code:dead-letter',
    ]);
  });

  it('says what a payload is when it is not the Confluent JSON it should be', () => {
    expect(decodePayload(null)).toEqual({ format: 'none' });
    const head = Buffer.from([0, 0, 0, 0, 5]);
    expect(decodePayload(value(Buffer.concat([head, Buffer.from('{oops')])))).toMatchObject({
      format: 'confluent',
      schemaId: 5,
      text: '{oops',
    });
    expect(decodePayload(value(Buffer.from('{"a":1}')))).toMatchObject({ format: 'json', json: { a: 1 } });
    expect(decodePayload(value(Buffer.from('plain')))).toMatchObject({ format: 'text', text: 'plain' });
    expect(decodePayload(value(Buffer.from([0xff, 0xfe, 0x00])))).toMatchObject({
      format: 'binary',
      hex: 'fffe00',
      problem: expect.stringContaining('byte 255'),
    });
  });
});

describe('/metrics and /proc', () => {
  const text = [
    '# HELP fleet_events_processed_total Events applied',
    '# TYPE fleet_events_processed_total counter',
    'fleet_events_processed_total{processor="ledger"} 120',
    'fleet_events_dead_lettered_total{processor="ledger",code="HANDLER_FAILED"} 2',
    'fleet_events_dead_lettered_total{processor="ledger",code="EVENT_INVALID"} 1',
    'fleet_batch_duration_seconds_bucket{le="+Inf"} 3',
    'fleet_batch_duration_seconds_count 3',
    'weird_label{a="x\\"y"} 1 1700000000000',
    'not a sample',
  ].join('\n');

  it('parses samples with their labels and sums a metric', () => {
    const samples = parseMetrics(text);
    expect(samples.find((s) => s.name === 'weird_label')).toEqual({
      name: 'weird_label',
      labels: { a: 'x"y' },
      value: 1,
    });
    const f = instanceFigures(text);
    expect(f).toMatchObject({ processed: 120, deadLettered: 3, rssBytes: undefined, cpuSeconds: undefined });
    expect(f.families).toContain('fleet_batch_duration_seconds');
    expect(
      instanceFigures('process_resident_memory_bytes 1048576\nprocess_cpu_seconds_total 2.5'),
    ).toMatchObject({
      rssBytes: 1_048_576,
      cpuSeconds: 2.5,
    });
  });

  it('reads memory and CPU time of a process from /proc', () => {
    const stat = '4242 (node (main)) S 1 4242 4242 0 -1 4194304 100 0 0 0 250 50 0 0 20 0 11 0 777 1000 200';
    expect(parseProcStats(stat, 'Name:\tnode\nVmRSS:\t  2048 kB\n')).toEqual({
      rssBytes: 2_097_152,
      cpuSeconds: 3,
      startTicks: 777,
    });
    expect(parseProcStats(stat, 'no rss')).toBeUndefined();
  });
});

describe('AsyncAPI of a processor', () => {
  const yaml = `
asyncapi: 3.0.0
channels:
  accounts:
    address: accounts
    description: "Money.\\n\\nRecord key: accountId."
    messages:
      fleet.accounts.Deposited.v1: { $ref: '#/components/messages/fleet.accounts.Deposited.v1' }
    bindings: { kafka: { partitions: 3 } }
  notices:
    address: notices
    messages:
      fleet.notices.BalanceChanged.v1: { $ref: '#/components/messages/fleet.notices.BalanceChanged.v1' }
components:
  messages:
    fleet.accounts.Deposited.v1:
      name: Deposited
      title: Deposited v1
      summary: Money came in
      x-cloudevents-type: fleet.accounts.Deposited.v1
      x-compatibility: BACKWARD
      payload:
        schema:
          type: object
          required: [accountId]
          properties: { accountId: { type: string }, amount: { type: integer }, kind: { enum: [a, b] } }
      examples: [{ payload: { accountId: a-1 } }]
    fleet.notices.BalanceChanged.v1:
      name: BalanceChanged
      x-cloudevents-type: fleet.notices.BalanceChanged.v1
`;
  it('splits the events into what it reads (its topics) and writes (the others)', () => {
    const { reads, writes } = processorEvents(yaml, ['accounts']);
    expect(reads).toMatchObject([
      {
        topic: 'accounts',
        partitions: 3,
        key: 'accountId',
        events: [
          {
            type: 'fleet.accounts.Deposited.v1',
            summary: 'Money came in',
            compatibility: 'BACKWARD',
            fields: [
              { name: 'accountId', type: 'string', required: true },
              { name: 'amount', type: 'integer', required: false },
              { name: 'kind', type: 'enum', required: false },
            ],
            example: { accountId: 'a-1' },
          },
        ],
      },
    ]);
    expect(writes.map((w) => w.events.map((e) => e.name))).toEqual([['BalanceChanged']]);
  });
});
