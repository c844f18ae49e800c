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

/** A page of the first `limit` rows, from `rows` read with one more to learn whether more follow. */
export function pageOf<K extends string, R, T>(key: K, rows: R[], limit: number, view: (r: R) => T, position: (r: R) => Position): Page<K, T> {
  const page = rows.slice(0, limit);
  const more = rows.length > limit;
  const last = page[page.length - 1];
  return { [key]: page.map(view), has_more: more, next_cursor: more && last !== undefined ? encodeCursor(position(last)) : null } as Page<K, T>;
}
