import type { AttributeType } from '../attributes/attribute-types.js';
import type { Condition } from './condition.js';
import { parseAttributeLeaf, parseVisitLeaf } from './parse-attribute-leaf.js';
import { parseBehaviourLeaf } from './parse-behaviour-leaf.js';
import {
  type ConditionRefusal,
  type ConditionWarning,
  isPlainObject,
  isRefusal,
  type ParseContext,
  refuse,
  unknownKey,
} from './parse-context.js';

/** Deepest nesting of all / any / not (the root counts as level 1). */
export const MAX_DEPTH = 10;
/** Most leaves in one condition. */
export const MAX_LEAVES = 200;

export type ParsedCondition =
  | { ok: true; condition: Condition; warnings: ConditionWarning[]; groupIds: string[] }
  | ConditionRefusal;

export interface ParseOptions {
  /** Where the condition sits in the request body; refusals point below it. Default `/condition`. */
  pointer?: string;
  /** The project's attribute types (declared or inferred); others are unknown (a warning). */
  attributeTypes?: ReadonlyMap<string, AttributeType>;
}

const BOOLEAN_LEAVES = ['identified', 'imported', 'bound'] as const;

/**
 * Checks a condition as a user sent it (DESIGN §5) and returns its parsed form, or a refusal with
 * the JSON pointer of the bad part. Never throws. `groupIds` lists the groups it names (the caller
 * checks they exist and form no cycle).
 */
export function parseCondition(input: unknown, options: ParseOptions = {}): ParsedCondition {
  const context: ParseContext = {
    attributeTypes: options.attributeTypes ?? new Map(),
    warnings: [],
    groupIds: new Set(),
  };
  const leaves = { count: 0 };
  const parsed = parseNode(input, options.pointer ?? '/condition', 1, context, leaves);
  if (isRefusal(parsed)) return parsed;
  return { ok: true, condition: parsed, warnings: context.warnings, groupIds: [...context.groupIds] };
}

function parseNode(
  node: unknown,
  pointer: string,
  depth: number,
  context: ParseContext,
  leaves: { count: number },
): Condition | ConditionRefusal {
  if (!isPlainObject(node)) return refuse(pointer, 'a condition must be an object');
  if (depth > MAX_DEPTH) return refuse(pointer, `conditions may be nested at most ${MAX_DEPTH} levels deep`);
  for (const key of ['all', 'any'] as const) {
    if (!(key in node)) continue;
    const unknown = unknownKey(node, [key], pointer, `an "${key}" condition`);
    if (unknown) return unknown;
    const list = node[key];
    if (!Array.isArray(list)) return refuse(`${pointer}/${key}`, `${key} must be a list of conditions`);
    const children: Condition[] = [];
    for (const [i, child] of list.entries()) {
      const parsed = parseNode(child, `${pointer}/${key}/${i}`, depth + 1, context, leaves);
      if (isRefusal(parsed)) return parsed;
      children.push(parsed);
    }
    return key === 'all' ? { all: children } : { any: children };
  }
  if ('not' in node) {
    const unknown = unknownKey(node, ['not'], pointer, 'a "not" condition');
    if (unknown) return unknown;
    const inner = parseNode(node.not, `${pointer}/not`, depth + 1, context, leaves);
    return isRefusal(inner) ? inner : { not: inner };
  }
  leaves.count += 1;
  if (leaves.count > MAX_LEAVES) return refuse(pointer, `a condition may hold at most ${MAX_LEAVES} leaves`);
  return parseLeaf(node, pointer, context);
}

function parseLeaf(
  node: Record<string, unknown>,
  pointer: string,
  context: ParseContext,
): Condition | ConditionRefusal {
  if ('attr' in node) return parseAttributeLeaf(node, pointer, context);
  if ('visit' in node) return parseVisitLeaf(node, pointer);
  if ('event' in node || 'page' in node || 'sessions' in node || 'experience_seen' in node) {
    return parseBehaviourLeaf(node, pointer);
  }
  if ('in_group' in node) {
    const unknown = unknownKey(node, ['in_group'], pointer, 'an in_group condition');
    if (unknown) return unknown;
    if (typeof node.in_group !== 'string' || node.in_group.length === 0) {
      return refuse(`${pointer}/in_group`, 'in_group needs a group id');
    }
    context.groupIds.add(node.in_group);
    return { in_group: node.in_group };
  }
  for (const key of BOOLEAN_LEAVES) {
    if (!(key in node)) continue;
    const unknown = unknownKey(node, [key], pointer, `an ${key} condition`);
    if (unknown) return unknown;
    const value = node[key];
    if (typeof value !== 'boolean') return refuse(`${pointer}/${key}`, `${key} must be true or false`);
    return { [key]: value } as Condition;
  }
  return refuse(
    pointer,
    'unknown condition: expected all, any, not, attr, event, page, sessions, experience_seen, visit, in_group, identified, imported or bound',
  );
}
