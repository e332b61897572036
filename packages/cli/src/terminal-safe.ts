/**
 * Text from records (keys, headers, payloads, error messages) made safe to print: control
 * characters (C0, DEL, C1, so the ESC of every terminal escape sequence) become visible `\xNN`
 * escapes, and lone surrogates U+FFFD. A dead letter can hold anything a producer wrote; printed raw,
 * it could clear the screen, rewrite earlier lines or retitle the terminal.
 */
export function terminalSafe(text: string): string {
  return text
    .toWellFormed()
    .replace(/\p{Cc}/gu, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
