import type { AttributeValue } from './attribute-operation.js';

export const ATTRIBUTE_TYPES = ['string', 'number', 'boolean', 'datetime', 'list'] as const;
export type AttributeType = (typeof ATTRIBUTE_TYPES)[number];

export function isAttributeType(value: unknown): value is AttributeType {
  return typeof value === 'string' && (ATTRIBUTE_TYPES as readonly string[]).includes(value);
}

/** Where an attribute value came from; imports read strings more eagerly (CSV has no types). */
export type AttributeSource = 'sdk' | 'server' | 'import';

const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const SLASH_DATE = /^\d{4}\/\d{1,2}\/\d{1,2}( \d{1,2}:\d{2}(:\d{2})?)?$/;
const NUMERIC = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const TRUE_WORDS = new Set(['true', 'yes', 'y', '1']);
const FALSE_WORDS = new Set(['false', 'no', 'n', '0']);

/**
 * The type of an attribute first seen with this value. JSON values keep their JSON type (a form's
 * "30" stays a string unless the owner declares a number); ISO dates are datetimes. Imported text
 * is read more eagerly: numbers, yes/no and YYYY/MM/DD dates are recognised.
 */
export function inferAttributeType(value: AttributeValue, source: AttributeSource): AttributeType {
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'boolean';
  const text = value.trim();
  if (ISO_DATETIME.test(text) && !Number.isNaN(Date.parse(text))) return 'datetime';
  if (source === 'import') {
    // A leading zero ("0123", phone numbers, postcodes) marks a code, which a number would corrupt.
    if (NUMERIC.test(text) && !/^[+-]?0\d/.test(text)) return 'number';
    if (/^(true|false|yes|no)$/i.test(text)) return 'boolean';
    if (SLASH_DATE.test(text) && parseDate(text) !== null) return 'datetime';
  }
  return 'string';
}

/** A stored value read through its attribute's type: `{ok: false}` when it does not fit. */
export function readAsType(
  value: AttributeValue,
  type: AttributeType,
): { ok: true; value: AttributeValue } | { ok: false } {
  switch (type) {
    case 'string':
      return { ok: true, value: Array.isArray(value) ? value.join(', ') : String(value) };
    case 'number': {
      if (typeof value === 'number') return { ok: true, value };
      if (typeof value === 'string' && NUMERIC.test(value.trim())) return { ok: true, value: Number(value) };
      if (typeof value === 'boolean') return { ok: true, value: value ? 1 : 0 };
      return { ok: false };
    }
    case 'boolean': {
      if (typeof value === 'boolean') return { ok: true, value };
      const word = String(value).trim().toLowerCase();
      if (TRUE_WORDS.has(word)) return { ok: true, value: true };
      if (FALSE_WORDS.has(word)) return { ok: true, value: false };
      return { ok: false };
    }
    case 'datetime': {
      if (Array.isArray(value) || typeof value === 'boolean') return { ok: false };
      const at = typeof value === 'number' ? value : parseDate(value);
      // Past ±8.64e15 ms a Date is invalid (and toISOString throws).
      return at === null || !Number.isFinite(at) || Math.abs(at) > 8.64e15
        ? { ok: false }
        : { ok: true, value: new Date(at).toISOString() };
    }
    case 'list':
      return { ok: true, value: Array.isArray(value) ? value : [value] };
  }
}

/** Milliseconds of an ISO or `YYYY/MM/DD[ hh:mm[:ss]]` date (the latter as UTC), or null. */
export function parseDate(text: string): number | null {
  const trimmed = text.trim();
  const slash = SLASH_DATE.exec(trimmed);
  const iso = slash ? trimmed.replace(/\//g, '-').replace(/-(\d)(?=-|$| )/g, '-0$1') : trimmed;
  if (!slash && !ISO_DATETIME.test(trimmed)) return null;
  const withZone = slash ? `${iso.replace(' ', 'T')}${iso.includes(' ') ? '' : 'T00:00'}Z` : iso;
  const at = Date.parse(withZone);
  return Number.isNaN(at) ? null : at;
}
