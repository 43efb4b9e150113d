import { parseCondition } from '../conditions/parse-condition.js';
import { attributeTypesOf } from '../groups/group-condition.js';
import { findGroup } from '../storage/group-repository.js';
import type { Db } from '../storage/store.js';
import type { TargetCheck } from './experience-catalog.js';

/**
 * Checks an experience's target against the project: an inline condition is parsed with the
 * project's attribute types (DESIGN §5; a bad part is refused with its pointer); each target group
 * must be one of the project's groups.
 */
export function checkTarget(db: Db): TargetCheck {
  return async (project, settings) => {
    const target = settings.target;
    if ('everyone' in target) return null;
    if ('groups' in target) {
      for (const [index, id] of target.groups.entries()) {
        if (await findGroup(db, project.id, id)) continue;
        return {
          code: 'TARGET_GROUP_NOT_FOUND',
          pointer: `/target/groups/${index}`,
          message: `group "${id}" does not exist in this project`,
        };
      }
      return null;
    }
    const parsed = parseCondition(target.condition, {
      pointer: '/target/condition',
      attributeTypes: await attributeTypesOf(db, project.id),
    });
    return parsed.ok ? null : { code: 'INVALID_CONDITION', pointer: parsed.pointer, message: parsed.message };
  };
}
