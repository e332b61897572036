import { terminalSafe } from './terminal-safe.ts';

/** `00000000  7b 22 61 …  |{"a…|`, 16 bytes a line, at most `max` bytes. */
export function hexDump(bytes: Buffer, max = 1024): string {
  const lines: string[] = [];
  const shown = bytes.subarray(0, max);
  for (let i = 0; i < shown.length; i += 16) {
    const chunk = shown.subarray(i, i + 16);
    const hex = [...chunk].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = [...chunk].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${i.toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  |${ascii}|`);
  }
  if (bytes.length > max) lines.push(`… ${bytes.length - max} more byte(s)`);
  return lines.join('\n');
}

/** The bytes as text, when they are mostly text (a JSON payload after the 5-byte wire-format prefix). */
export function utf8Preview(bytes: Buffer, max = 2000): string {
  const body = bytes[0] === 0 && bytes.length > 5 ? bytes.subarray(5) : bytes;
  const text = body.toString('utf8');
  const printable = terminalSafe(text);
  const prefix = body === bytes ? '' : `(wire format: magic byte 0, schema id ${bytes.readInt32BE(1)}) `;
  const shown = printable.length > max ? `${printable.slice(0, max)}…` : printable;
  return `${prefix}${shown}`;
}
