import type { AttributeValue } from '../attributes/attribute-operation.js';
import type { Db } from './store.js';

/** A few distinct stored values of each named attribute, so Data Settings can show what arrived. */
export async function sampleAttributeValues(
  db: Db,
  projectId: string,
  names: string[],
  perName = 3,
): Promise<Map<string, AttributeValue[]>> {
  const samples = new Map<string, AttributeValue[]>();
  for (const name of names) {
    const rows = await db
      .selectFrom('person_attributes')
      .select('value')
      .distinct()
      .where('project_id', '=', projectId)
      .where('name', '=', name)
      .where('value', 'is not', null)
      .limit(perName)
      .execute();
    samples.set(
      name,
      rows.map((r) => JSON.parse(r.value as string) as AttributeValue),
    );
  }
  return samples;
}
