import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { storableText, storableTextMessages, storableTextProblems } from './storable-text.ts';

const field = storableText().min(1).max(64);
const messagesOf = (value: string) => {
  const result = field.safeParse(value);
  return result.success ? [] : result.error.issues.map((i) => i.message);
};

describe('storableText', () => {
  it('accepts normal text, non-Latin scripts, tab, LF and CR', () => {
    for (const value of ['cust-1042', 'Ordered by mistake', 'Zoë Ø — 東京 שלום', 'line 1\nline 2\r\n\tend'])
      expect(field.parse(value)).toBe(value);
  });

  it('accepts well-formed surrogate pairs (emoji, astral characters)', () => {
    for (const value of ['🛒', 'gift 🎁 for 👩‍👩‍👧', '𝄞 clef', '\uD83D\uDE00'])
      expect(field.parse(value)).toBe(value);
  });

  it('refuses the NUL character, wherever it is', () => {
    for (const value of ['\u0000', 'cust\u00001042', 'cust-1042\u0000'])
      expect(messagesOf(value)).toEqual(['must not contain the NUL character (U+0000)']);
  });

  it('refuses a lone high surrogate, a lone low surrogate and a reversed pair', () => {
    expect(messagesOf('BOOK-\uD83D')).toEqual([
      'must not contain a lone UTF-16 surrogate (U+D83D): it has no UTF-8 encoding',
    ]);
    expect(messagesOf('\uD83Dx')).toEqual([storableTextMessages.loneSurrogate(0xd83d)]);
    expect(messagesOf('\uDE00BOOK')).toEqual([
      'must not contain a lone UTF-16 surrogate (U+DE00): it has no UTF-8 encoding',
    ]);
    expect(messagesOf('\uDE00\uD83D')).toEqual([storableTextMessages.loneSurrogate(0xde00)]);
    // A pair followed by a stray high surrogate: the pair is fine, the stray one is not.
    expect(messagesOf('😀\uD83D')).toEqual([storableTextMessages.loneSurrogate(0xd83d)]);
  });

  it('refuses C0 controls other than tab, LF and CR, DEL and C1 controls, naming the first', () => {
    expect(messagesOf('esc\u001b[31m')).toEqual([
      'must not contain the control character U+001B: only tab, line feed and carriage return are allowed',
    ]);
    for (const c of [0x01, 0x07, 0x08, 0x0b, 0x0c, 0x1f, 0x7f, 0x80, 0x85, 0x9f])
      expect(messagesOf(`a${String.fromCharCode(c)}b`)).toEqual([storableTextMessages.control(c)]);
    // Just outside the ranges: printable.
    for (const c of [0x20, 0x7e, 0xa0, 0xff]) expect(messagesOf(`a${String.fromCharCode(c)}b`)).toEqual([]);
  });

  it('reports each broken rule once, alongside the field’s own rules', () => {
    expect(storableTextProblems('\u0000\u0001\u0002\uD800\u0000')).toEqual([
      storableTextMessages.nul,
      storableTextMessages.loneSurrogate(0xd800),
      storableTextMessages.control(0x01),
    ]);
    const result = field.safeParse(`${'x'.repeat(64)}\u0000`);
    expect(result.error?.issues.map((i) => i.code).sort()).toEqual(['custom', 'too_big']);
  });

  it('keeps working through optional(), strict objects and arrays, with the field path', () => {
    const schema = z.strictObject({
      lines: z.array(z.object({ sku: field })),
      note: storableText().optional(),
    });
    const result = schema.safeParse({ lines: [{ sku: 'ok' }, { sku: '\u0000' }], note: '\uDC00' });
    expect(result.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['lines.1.sku', storableTextMessages.nul],
      ['note', storableTextMessages.loneSurrogate(0xdc00)],
    ]);
  });

  it('adds nothing to the JSON Schema: exactly what z.string() with the same rules emits', () => {
    const plain = z.string().min(1).max(64).describe('The customer.');
    const storable = storableText().min(1).max(64).describe('The customer.');
    expect(z.toJSONSchema(storable, { target: 'draft-7', unrepresentable: 'throw' })).toEqual(
      z.toJSONSchema(plain, { target: 'draft-7', unrepresentable: 'throw' }),
    );
  });
});
