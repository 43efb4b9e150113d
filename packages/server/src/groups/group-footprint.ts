import type { Condition, GroupDefinition } from '../conditions/condition.js';

/**
 * What a group's membership depends on, with `in_group` followed into the groups it names:
 * which stored attributes, whether the person's activity (events, page views, sessions, devices,
 * the `$` default attributes), which static groups, and whether time passing alone can change it
 * (rolling windows, relative dates, experiences seen: the periodic pass re-counts those).
 * Identity changes (a new person, an identify, a merge) may change any group, so they are not
 * listed: a person touched that way is evaluated against every watched group. Static lists
 * change only through their own routes, which re-count the groups using them (`groups`).
 */
export interface GroupFootprint {
  /** The group itself and every group it names, directly or through others. */
  groups: Set<string>;
  attributes: Set<string>;
  activity: boolean;
  timed: boolean;
}

/** How a change touched one person, as the outbox notes it. */
export interface PersonTouch {
  /** A new person, an identify (static lists' pending ids admitted too), a merge or a split. */
  all: boolean;
  attributes: Set<string>;
  activity: boolean;
}

export function emptyTouch(): PersonTouch {
  return { all: false, attributes: new Set(), activity: false };
}

/** The footprint of group `groupId` among the project's group definitions. */
export function groupFootprint(
  groupId: string,
  groups: ReadonlyMap<string, GroupDefinition>,
): GroupFootprint {
  const footprint: GroupFootprint = {
    groups: new Set(),
    attributes: new Set(),
    activity: false,
    timed: false,
  };
  const visitGroup = (id: string) => {
    if (footprint.groups.has(id)) return;
    footprint.groups.add(id);
    const group = groups.get(id);
    if (group?.kind === 'dynamic') visit(group.condition);
  };
  const visit = (condition: Condition) => {
    if ('all' in condition) condition.all.forEach(visit);
    else if ('any' in condition) condition.any.forEach(visit);
    else if ('not' in condition) visit(condition.not);
    else if ('in_group' in condition) visitGroup(condition.in_group);
    else if ('attr' in condition) {
      if (condition.attr.startsWith('$')) footprint.activity = true;
      else footprint.attributes.add(condition.attr);
      if (RELATIVE_OPS.has(condition.test.op)) footprint.timed = true;
    } else if ('experience_seen' in condition) footprint.timed = true;
    else if ('event' in condition || 'page' in condition || 'sessions' in condition) {
      footprint.activity = true;
      if (condition.within_days !== null) footprint.timed = true;
    } else if ('visit' in condition) footprint.activity = true;
  };
  visitGroup(groupId);
  return footprint;
}

const RELATIVE_OPS = new Set(['within_last_days', 'more_than_days_ago']);

/** Whether a change that touched a person this way may move it in or out of the group. */
export function touchReaches(touch: PersonTouch, footprint: GroupFootprint): boolean {
  if (touch.all) return true;
  if (touch.activity && footprint.activity) return true;
  for (const name of touch.attributes) if (footprint.attributes.has(name)) return true;
  return false;
}
