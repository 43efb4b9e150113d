/**
 * Values that tracking code sends when it has no real id (DESIGN §3 rule 1). Linking on one of them
 * would merge every visitor who sent it into one person, so they are never used as ids.
 */
const PLACEHOLDER_IDS = new Set([
  'anonymous',
  'guest',
  'undefined',
  'null',
  'none',
  'nil',
  'nan',
  '0',
  '-1',
  'true',
  'false',
  '[object object]',
  'id',
  'user_id',
  'userid',
  'distinct_id',
  'distinctid',
  'not_authenticated',
  'email',
  'unknown',
]);

export const MAX_ID_LENGTH = 255;

/** Why an id is illegal, or null when it may be used. Ids are compared as sent; this only judges them. */
export function illegalIdReason(id: unknown): string | null {
  if (typeof id === 'number' && Number.isFinite(id)) return illegalIdReason(String(id));
  if (typeof id !== 'string') return `must be a string, got ${id === null ? 'null' : typeof id}`;
  const normalized = id
    .trim()
    .replace(/^["']+|["']+$/g, '')
    .trim()
    .toLowerCase();
  if (normalized.length === 0) return 'is empty';
  if (id.length > MAX_ID_LENGTH) return `is longer than ${MAX_ID_LENGTH} characters`;
  if (PLACEHOLDER_IDS.has(normalized)) return `"${id}" is a placeholder, not an id`;
  if (/^[0-]+$/.test(normalized)) return `"${id}" is made only of 0 and - characters`;
  return null;
}

/** The id as it will be stored (numbers become strings), or null when it is illegal. */
export function legalId(id: unknown): string | null {
  if (illegalIdReason(id) !== null) return null;
  return String(id);
}
