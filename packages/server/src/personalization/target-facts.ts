import type { AttributeType } from '../attributes/attribute-types.js';
import type { Condition, GroupDefinition, VisitFacts } from '../conditions/condition.js';
import { readsEvents } from '../conditions/condition-reads.js';
import { evaluateCondition } from '../conditions/evaluate-condition.js';
import { parseCondition } from '../conditions/parse-condition.js';
import type { PersonFacts } from '../conditions/person-facts.js';
import { urlHost } from '../conditions/person-facts.js';
import { parseUserAgent } from '../devices/parse-user-agent.js';
import type { Experience, Target } from './experience.js';

/** Parsed target conditions of stored experiences, once per experience object (they are cached). */
const parsed = new WeakMap<Experience, Condition | null>();

/**
 * The condition of an experience's target, parsed with the project's attribute types the first
 * time this (cached) experience is judged; null when it has none or it no longer parses.
 */
export function targetCondition(
  experience: Experience,
  attributeTypes: ReadonlyMap<string, AttributeType>,
): Condition | null {
  let condition = parsed.get(experience);
  if (condition === undefined) {
    const target = experience.target;
    const result = 'condition' in target ? parseCondition(target.condition, { attributeTypes }) : null;
    condition = result?.ok ? result.condition : null;
    parsed.set(experience, condition);
  }
  return condition;
}

/** Whether an experience needs the person's facts to judge its target. */
export function needsFacts(experience: Experience): boolean {
  return !('everyone' in experience.target);
}

/** Whether judging an experience's target reads the person's events, once per (cached) experience. */
const readingEvents = new WeakMap<Experience, boolean>();

/**
 * Whether judging an experience's target reads the person's events (a behaviour leaf in its
 * condition or in a dynamic group it names); when no experience on the page does, decide does not
 * load them. `groups` and `attributeTypes` are those loaded with this experience.
 */
export function needsEvents(
  experience: Experience,
  groups: ReadonlyMap<string, GroupDefinition>,
  attributeTypes: ReadonlyMap<string, AttributeType>,
): boolean {
  let reads = readingEvents.get(experience);
  if (reads === undefined) {
    const target = experience.target;
    if ('everyone' in target) reads = false;
    else if ('groups' in target) reads = target.groups.some((id) => readsEvents({ in_group: id }, groups));
    else {
      const condition = targetCondition(experience, attributeTypes);
      reads = condition !== null && readsEvents(condition, groups);
    }
    readingEvents.set(experience, reads);
  }
  return reads;
}

/** What decide knows of the visit: the request's page, referrer and user agent, and the device. */
export function visitFacts(visit: {
  url: string;
  referrer: string | null;
  userAgent: string | null;
  device: { sessionCount: number; landingPage: string | null } | null;
}): VisitFacts {
  const agent = visit.userAgent ? parseUserAgent(visit.userAgent) : null;
  const params = new URL(visit.url).searchParams;
  return {
    device_type: agent?.deviceType ?? null,
    os: agent?.os ?? null,
    browser: agent?.browser ?? null,
    new_visitor: visit.device === null || visit.device.sessionCount <= 1,
    landing_page: visit.device?.landingPage ?? visit.url,
    referrer_host: urlHost(visit.referrer),
    utm_source: params.get('utm_source'),
    utm_medium: params.get('utm_medium'),
    utm_campaign: params.get('utm_campaign'),
  };
}

/**
 * Whether the visitor is in an experience's target.
 *
 * strategy: everyone always is; a condition is evaluated in memory against the person's facts
 * and the visit being decided (a visitor without a person has empty facts: anonymous, no
 * attributes, no events, so only visit leaves and negations can match); groups are members of
 * any of them, each group judged by its definition (static: the person's static memberships).
 */
export function isTargeted(
  experience: Experience,
  facts: PersonFacts,
  context: {
    now: number;
    visit: VisitFacts;
    groups: ReadonlyMap<string, GroupDefinition>;
    attributeTypes: ReadonlyMap<string, AttributeType>;
  },
): boolean {
  const target: Target = experience.target;
  if ('everyone' in target) return true;
  if ('groups' in target) {
    return target.groups.some((id) => evaluateCondition({ in_group: id }, facts, context));
  }
  const condition = targetCondition(experience, context.attributeTypes);
  return condition !== null && evaluateCondition(condition, facts, context);
}

/** The facts of a visitor decide knows nothing about. */
export const NO_FACTS: PersonFacts = {
  identified: false,
  imported: false,
  bound: false,
  attributes: new Map(),
  events: [],
  staticGroupIds: new Set(),
  devices: [],
};
