import { z } from 'zod';

/*
 * Text every consumer can store: the rule for every free-text string of an event payload.
 *
 * Refused, each with its own message:
 * - **NUL (U+0000)**: PostgreSQL `text` cannot hold it (`invalid byte sequence for encoding "UTF8": 0x00`),
 *   so a processor storing the field fails on every retry while its siblings have already acted on the
 *   event (inventory reserved the stock, payments cannot record the decision).
 * - **Lone (unpaired) UTF-16 surrogates (U+D800–U+DFFF)**: they are not Unicode scalar values and have no
 *   UTF-8 encoding; a driver either throws or silently writes U+FFFD instead, so two different IDs can be
 *   stored as the same text. A well-formed pair (an emoji) is of course accepted.
 * - **Other control characters**: C0 (U+0001–U+001F) except tab, line feed and carriage return, DEL
 *   (U+007F) and C1 (U+0080–U+009F), i.e. Unicode category Cc. PostgreSQL could store them, but they
 *   carry no business meaning, are invisible, let a value rewrite a terminal or a log line (ESC
 *   sequences), the C0 ones cannot appear in an XML 1.0 document at all (exports, partners) and DEL/C1
 *   are discouraged there, and C1 in a string mostly means mojibake (CP-1252 bytes decoded as Latin-1).
 *   Tab, LF and CR stay allowed: multi-line reasons and pasted text are legitimate and every store,
 *   XML and JSON carry them.
 *
 * The rule is a zod check, not a JSON Schema `pattern`: `z.toJSONSchema` does not emit checks, so the
 * registered schemas stay byte-identical (a `pattern` added to a registered field is a BREAK in the
 * registry, under BACKWARD as under FULL_TRANSITIVE). Readers that validate with the registered JSON
 * Schema alone do not see the rule; the contracts README and the AsyncAPI document state it.
 */

/** The zod issue messages of the rule (the HTTP intake answers them in its 400s). */
export const storableTextMessages = {
  nul: 'must not contain the NUL character (U+0000)',
  loneSurrogate: (codeUnit: number) =>
    `must not contain a lone UTF-16 surrogate (${codePoint(codeUnit)}): it has no UTF-8 encoding`,
  control: (codeUnit: number) =>
    `must not contain the control character ${codePoint(codeUnit)}: only tab, line feed and carriage return are allowed`,
} as const;

/**
 * Why `value` is not storable text: one message per rule it breaks (naming the first offending code
 * unit), empty when it is fine. For code that validates without zod (e.g. headers).
 */
export function storableTextProblems(value: string): string[] {
  let nul = false;
  let loneSurrogate: number | undefined;
  let control: number | undefined;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f) continue; // printable ASCII: the common case
    if (c === 0) nul = true;
    else if (c < 0x20) {
      if (c !== 0x09 && c !== 0x0a && c !== 0x0d) control ??= c;
    } else if (c <= 0x9f)
      control ??= c; // DEL and C1
    else if (c >= 0xd800 && c <= 0xdbff) {
      const next = value.charCodeAt(i + 1); // NaN past the end: the high surrogate is alone
      if (next >= 0xdc00 && next <= 0xdfff) i++;
      else loneSurrogate ??= c;
    } else if (c >= 0xdc00 && c <= 0xdfff) loneSurrogate ??= c;
  }
  const problems: string[] = [];
  if (nul) problems.push(storableTextMessages.nul);
  if (loneSurrogate !== undefined) problems.push(storableTextMessages.loneSurrogate(loneSurrogate));
  if (control !== undefined) problems.push(storableTextMessages.control(control));
  return problems;
}

/**
 * A zod string that refuses what no consumer can store (see above); chain the field's own rules:
 * `storableText().min(1).max(64)`. Its JSON Schema is exactly `z.string()`'s.
 */
export function storableText(): z.ZodString {
  return z.string().superRefine((value, ctx) => {
    for (const message of storableTextProblems(value)) ctx.addIssue({ code: 'custom', message });
  });
}

function codePoint(codeUnit: number): string {
  return `U+${codeUnit.toString(16).toUpperCase().padStart(4, '0')}`;
}
