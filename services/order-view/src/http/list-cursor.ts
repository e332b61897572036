/** Keyset position: the last item of a page, in the list's order (placed_at desc, order_id desc). */
export interface ListCursor {
  placedAt: string;
  orderId: string;
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodeCursor(cursor: ListCursor): string {
  return Buffer.from(JSON.stringify([cursor.placedAt, cursor.orderId])).toString('base64url');
}

/** Undefined when the text is not a cursor this API produced. */
export function decodeCursor(text: string): ListCursor | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 2) return undefined;
    const [placedAt, orderId] = value as unknown[];
    if (typeof placedAt !== 'string' || Number.isNaN(Date.parse(placedAt))) return undefined;
    if (typeof orderId !== 'string' || !uuid.test(orderId)) return undefined;
    return { placedAt, orderId };
  } catch {
    return undefined;
  }
}
