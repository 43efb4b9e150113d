import { type AttributeType, inferAttributeType, isAttributeType } from '../attributes/attribute-types.js';
import type { AttributeDefinitionRow } from '../storage/attribute-repository.js';
import type { ProfileFields } from './profile-fields.js';

/** An attribute column of an upload, with the type its values are read through. */
export interface ImportColumn {
  index: number;
  name: string;
  type: AttributeType;
  /** Declared by the owner: a value that does not read as the type refuses its row. */
  declared: boolean;
}

/**
 * The type of each attribute column.
 * strategy: an attribute that exists keeps its type (declared or inferred earlier). A new one
 * takes the type all of its sample values agree on (numbers, ISO or YYYY/MM/DD dates,
 * true/false/yes/no), else string; the sample is the first chunk of the file or the whole request.
 */
export function resolveColumnTypes(
  fields: ProfileFields,
  definitions: AttributeDefinitionRow[],
  sample: readonly (readonly unknown[])[],
): ImportColumn[] {
  const byName = new Map(definitions.map((d) => [d.name, d]));
  return fields.attributes.map(({ index, name }) => {
    const known = byName.get(name);
    if (known && isAttributeType(known.type))
      return { index, name, type: known.type, declared: known.type_source === 'declared' };
    return { index, name, type: inferColumnType(sample, index), declared: false };
  });
}

function inferColumnType(sample: readonly (readonly unknown[])[], index: number): AttributeType {
  let agreed: AttributeType | null = null;
  for (const row of sample) {
    const value = row[index];
    if (value === '' || value === null || value === undefined) continue;
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return 'string';
    const type = inferAttributeType(value, 'import');
    if (agreed === null) agreed = type;
    else if (agreed !== type) return 'string';
  }
  return agreed ?? 'string';
}
