// Cursor pagination: a page, `has_more`, and an opaque `next_cursor` naming the last item shown
// (its time and id), from which the next page continues.
import { LedgerError } from './errors.ts';
import type { Position } from './store/integration.ts';

export type Page<K extends string, T> = { [key in K]: T[] } & { has_more: boolean; next_cursor: string | null };

export function encodeCursor(p: Position): string {
  return Buffer.from(JSON.stringify([p.at, p.id])).toString('base64url');
}

export function decodeCursor(cursor: string): Position {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (Number.isSafeInteger(at) && typeof id === 'string' && id.length <= 128) return { at: at as number, id };
  } catch { /* refused below */ }
  const message = 'cursor is not one this API returned: pass next_cursor from the previous page as it is';
  throw new LedgerError('invalid_request', message, { errors: [{ path: 'cursor', keyword: 'format', message }] });
}
