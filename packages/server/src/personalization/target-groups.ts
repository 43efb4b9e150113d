import { parseCondition } from '../conditions/parse-condition.js';
import type { Target } from './experience.js';

/** The groups an experience's target names: its list of groups, or the `in_group` leaves of its condition. */
export function targetGroups(target: Target): string[] {
  if ('groups' in target) return target.groups;
  if ('condition' in target) {
    const parsed = parseCondition(target.condition);
    return parsed.ok ? parsed.groupIds : [];
  }
  return [];
}
