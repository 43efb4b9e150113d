import { createHash } from 'node:crypto';
import { RequestError } from '../errors/error-codes.js';

/**
 * Opaque cursors of the lists that page by `?limit=&cursor=` (DESIGN §4): the position after the
 * last item of a page, as base64url JSON with a short checksum, so a cursor that was cut or edited
 * is refused with 400 `INVALID_CURSOR` instead of paging from a nonsense position.
 * `kind` names the list, so a cursor of one list is refused by another.
 */
export function encodeCursor(kind: string, position: unknown): string {
  const body = JSON.stringify([kind, position]);
  return Buffer.from(`${checksum(body)}.${body}`, 'utf8').toString('base64url');
}

/** The position inside a cursor made by `encodeCursor(kind, …)`; throws `INVALID_CURSOR` otherwise. */
export function decodeCursor(kind: string, cursor: string): unknown {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const dot = text.indexOf('.');
  const body = text.slice(dot + 1);
  if (dot < 0 || text.slice(0, dot) !== checksum(body)) throw invalidCursor();
  try {
    const [cursorKind, position] = JSON.parse(body) as [unknown, unknown];
    if (cursorKind !== kind) throw invalidCursor();
    return position;
  } catch {
    throw invalidCursor();
  }
}

/**
 * The `[first, id]` position of a list ordered by one column then its id (a time as a number, or a
 * name as a string), read from `decodeCursor`'s answer; `INVALID_CURSOR` if it is not one.
 */
export function readKeyedPosition<T extends 'number' | 'string'>(
  position: unknown,
  firstType: T,
): { first: T extends 'number' ? number : string; id: string } {
  const [first, id] = Array.isArray(position) ? position : [];
  if (typeof first !== firstType || typeof id !== 'string') throw invalidCursor();
  return { first, id };
}

function checksum(body: string): string {
  return createHash('sha256').update(body).digest('base64url').slice(0, 12);
}

function invalidCursor(): RequestError {
  return new RequestError(
    'INVALID_CURSOR',
    'the cursor is not one this list gave out; start again without "cursor"',
  );
}
