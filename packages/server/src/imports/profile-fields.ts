import { attributeNameProblem } from '../attributes/attribute-operation.js';
import type { ImportRefusal } from './import-issue.js';

/** The columns of an upload: where the user id is, and the attributes the others write. */
export interface ProfileFields {
  idIndex: number;
  /** Header name of the identifier column (CSV: any name; JSON: `user_id`). */
  idName: string;
  attributes: { index: number; name: string }[];
  width: number;
  /** The most fields an upload may have: a row cut at one cell more is wider than that. */
  maxWidth: number;
}

/**
 * Checks the field names of an upload: `field_name` of the JSON upload (which must name
 * `user_id`), or a CSV header (whose first column is the identifier, whatever its name).
 * Attribute names follow the product's rules (no `$` prefix, at most 128 characters), each at
 * most once, at most `maxFields` in all.
 */
export function checkProfileFields(
  names: string[],
  idColumn: 'user_id' | 'first',
  maxFields: number,
): { ok: true; fields: ProfileFields } | ImportRefusal {
  const where = (index: number) =>
    idColumn === 'first' ? `column ${index + 1} of the header` : `field_name[${index}]`;
  if (names.length > maxFields) {
    return {
      ok: false,
      code: 'TOO_MANY_FIELDS',
      message: `${names.length > maxFields + 1 ? names.length : `more than ${maxFields}`} fields is over the limit of ${maxFields} fields per upload`,
    };
  }
  const idIndex = idColumn === 'first' ? 0 : names.indexOf('user_id');
  if (idIndex < 0) {
    return {
      ok: false,
      code: 'FIELD_NAME_MISSING_USER_ID',
      message: 'field_name must contain "user_id", the field that identifies each user',
    };
  }
  if (idColumn === 'first' && (names[0] ?? '').trim() === '') {
    return {
      ok: false,
      code: 'MISSING_ID_COLUMN',
      message:
        'the first column of the header is blank; it must name the user identifier column (e.g. user_id)',
    };
  }
  const seen = new Map<string, number>();
  const attributes: ProfileFields['attributes'] = [];
  for (const [index, name] of names.entries()) {
    const earlier = seen.get(name);
    if (earlier !== undefined) {
      return {
        ok: false,
        code: 'DUPLICATE_FIELD_NAME',
        message: `"${name}" appears twice: ${where(earlier)} and ${where(index)}`,
      };
    }
    seen.set(name, index);
    if (index === idIndex) continue;
    const problem = attributeNameProblem(name);
    if (problem) return { ok: false, code: 'INVALID_ATTRIBUTE_NAME', message: `${where(index)}: ${problem}` };
    attributes.push({ index, name });
  }
  return {
    ok: true,
    fields: { idIndex, idName: names[idIndex], attributes, width: names.length, maxWidth: maxFields },
  };
}
