import type { AttributeType } from '../attributes/attribute-types.js';
import type { Condition, GroupDefinition } from '../conditions/condition.js';
import { parseCondition } from '../conditions/parse-condition.js';
import type { ConditionWarning } from '../conditions/parse-context.js';
import { loadAttributeDefinitions } from '../storage/attribute-repository.js';
import { type GroupRow, listGroups, loadGroupUses, replaceGroupUses } from '../storage/group-repository.js';
import type { Db } from '../storage/store.js';
import { findGroupCycle, inGroupPointer } from './group-cycles.js';
import { type Checked, refuse } from './group-input.js';

/** A condition checked for saving: as the user sent it (what is stored), parsed, and what it names. */
export interface CheckedCondition {
  /** The JSON the user sent: saved as is and parsed again when used, so later type changes apply. */
  condition: unknown;
  parsed: Condition;
  warnings: ConditionWarning[];
  groupIds: string[];
}

/** The project's attribute types, as conditions read values through them. */
export async function attributeTypesOf(db: Db, projectId: string): Promise<Map<string, AttributeType>> {
  const definitions = await loadAttributeDefinitions(db, projectId);
  return new Map(definitions.map((d) => [d.name, d.type as AttributeType]));
}

/**
 * Checks a condition of group `selfId` (null for a new group or a preview): it parses (DESIGN §5),
 * every `in_group` names a group of this project, and no group would end up using itself.
 */
export async function checkGroupCondition(
  db: Db,
  projectId: string,
  input: unknown,
  selfId: string | null,
  pointer = '/condition',
): Promise<Checked<CheckedCondition>> {
  const parsed = parseCondition(input, { pointer, attributeTypes: await attributeTypesOf(db, projectId) });
  if (!parsed.ok) return refuse('INVALID_CONDITION', parsed.message, parsed.pointer);
  const groups = new Map((await listGroups(db, projectId)).map((g) => [g.id, g]));
  for (const id of parsed.groupIds) {
    if (!groups.has(id) && id !== selfId) {
      return refuse(
        'UNKNOWN_REFERENCE',
        `no group "${id}" in this project`,
        inGroupPointer(input, id, pointer),
      );
    }
  }
  if (selfId !== null) {
    const cycle = findGroupCycle(await loadGroupUses(db, projectId), selfId, parsed.groupIds);
    if (cycle) {
      const names = cycle.map((id) => `"${groups.get(id)?.name ?? id}"`).join(' → ');
      return refuse(
        'GROUP_CYCLE',
        `groups would use each other in a cycle: ${names}`,
        inGroupPointer(input, cycle[1], pointer),
      );
    }
  }
  return {
    ok: true,
    value: {
      condition: input,
      parsed: parsed.condition,
      warnings: parsed.warnings,
      groupIds: parsed.groupIds,
    },
  };
}

/** Records which groups a saved condition names, for cycles and for refusing to delete them. */
export async function saveGroupUses(db: Db, projectId: string, groupId: string, checked: CheckedCondition) {
  await replaceGroupUses(db, projectId, groupId, checked.groupIds);
}

/**
 * Every group of the project as `in_group` reads it: static groups by their member rows, dynamic
 * ones by their stored condition parsed with today's attribute types. A stored condition that no
 * longer parses (say a type the owner declared since does not fit its value) matches no one.
 */
export async function loadGroupDefinitions(
  db: Db,
  projectId: string,
  groups?: readonly GroupRow[],
): Promise<Map<string, GroupDefinition>> {
  const rows = groups ?? (await listGroups(db, projectId));
  const attributeTypes = await attributeTypesOf(db, projectId);
  const definitions = new Map<string, GroupDefinition>();
  for (const group of rows) {
    if (group.type === 'static' || group.condition === null) {
      definitions.set(group.id, { kind: 'static' });
      continue;
    }
    const parsed = parseCondition(JSON.parse(group.condition), { attributeTypes });
    definitions.set(group.id, { kind: 'dynamic', condition: parsed.ok ? parsed.condition : { any: [] } });
  }
  return definitions;
}
