/** An SQL identifier, always double-quoted. */
export const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** An SQL string literal (standard_conforming_strings is on since PostgreSQL 9.1). */
export const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** A text[] literal. */
export const textArray = (items: readonly string[]) => `array[${items.map(literal).join(', ')}]::text[]`;
