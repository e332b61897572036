import { infraSettings, uniqueName } from '@fleet/testkit';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkCompatibility, formatCompatibilityReport } from './compatibility-gate.ts';
import { defineEvent } from './define-event.ts';
import { defineTopic } from './define-topic.ts';
import { EventCodec } from './event-codec.ts';

const registryUrl = infraSettings().schemaRegistryUrl;
const v1Shape = { orderId: z.uuid(), totalCents: z.number().int().nonnegative(), placedAt: z.iso.datetime() };
const v1Example = {
  orderId: '3f2c9a4e-8b1d-4c6f-9e2a-7d5b1c0e4f21',
  totalCents: 100,
  placedAt: '2026-03-14T09:26:53.000Z',
};

/** Registers v1 of an event on a fresh topic, then checks `shape` as the next schema of the same subject. */
async function check(shape: z.ZodRawShape, example: Record<string, unknown>, isPublic = false) {
  const topic = defineTopic({
    name: uniqueName('compat'),
    partitions: 1,
    replicationFactor: 1,
    public: isPublic,
    description: 't',
    key: 'orderId',
  });
  const base = { name: 'OrderPlaced', version: 1, topic, key: () => 'k', description: 'd' };
  const registered = defineEvent({ ...base, schema: z.object(v1Shape), example: v1Example });
  await new EventCodec({ registryUrl, events: [registered] }).registerAll();
  const next = defineEvent({ ...base, schema: z.object(shape), example });
  const report = await checkCompatibility({ registryUrl, events: [next] });
  const [verdict] = report.verdicts;
  if (!verdict) throw new Error('no verdict');
  return { report, verdict, text: formatCompatibilityReport(report) };
}

describe('compatibility gate against the registry', () => {
  it('catches a removed required field', async () => {
    const { orderId, placedAt } = v1Shape;
    const { report, verdict, text } = await check(
      { orderId, placedAt },
      { orderId: v1Example.orderId, placedAt: v1Example.placedAt },
    );
    expect(report.ok).toBe(false);
    expect(verdict.status).toBe('incompatible');
    expect(verdict.registryMessages.join('\n')).toMatch(/narrowed|removed/i);
    expect(text).toContain('totalCents: required field removed');
  });

  it('catches a changed type', async () => {
    const { verdict, text } = await check(
      { ...v1Shape, totalCents: z.string() },
      { ...v1Example, totalCents: '100' },
    );
    expect(verdict.status).toBe('incompatible');
    expect(verdict.registryMessages.join('\n')).toMatch(/type changed/i);
    expect(text).toContain('type changed from integer to string');
  });

  it('catches a new required field without default', async () => {
    const { verdict } = await check({ ...v1Shape, currency: z.string() }, { ...v1Example, currency: 'EUR' });
    expect(verdict.status).toBe('incompatible');
    expect(verdict.registryMessages.join('\n')).toMatch(/required property was added/i);
  });

  it('lets an added optional field through (BACKWARD)', async () => {
    const { report, verdict, text } = await check({ ...v1Shape, note: z.string().optional() }, v1Example);
    expect(report.ok).toBe(true);
    expect(verdict.status).toBe('compatible');
    expect(text).toContain('note: new optional field');
  });

  it('on a public topic (FULL_TRANSITIVE) even an optional field breaks old closed-model readers', async () => {
    const { verdict } = await check({ ...v1Shape, note: z.string().optional() }, v1Example, true);
    expect(verdict.level).toBe('FULL_TRANSITIVE');
    expect(verdict.status).toBe('incompatible');
  });

  it('reports a subject without versions as new, and an unchanged schema as unchanged', async () => {
    const topic = defineTopic({
      name: uniqueName('compat'),
      partitions: 1,
      replicationFactor: 1,
      description: 't',
      key: 'orderId',
    });
    const e = defineEvent({
      name: 'OrderPlaced',
      version: 1,
      topic,
      schema: z.object(v1Shape),
      key: () => 'k',
      example: v1Example,
      description: 'd',
    });
    expect((await checkCompatibility({ registryUrl, events: [e] })).verdicts[0]?.status).toBe('new');
    await new EventCodec({ registryUrl, events: [e] }).registerAll();
    expect((await checkCompatibility({ registryUrl, events: [e] })).verdicts[0]?.status).toBe('unchanged');
  });
});
