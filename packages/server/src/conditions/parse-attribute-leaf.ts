import { DEFAULT_ATTRIBUTES } from '../profiles/default-attributes.js';
import { type Condition, VISIT_FIELDS, type VisitField } from './condition.js';
import {
  type ConditionRefusal,
  isRefusal,
  MAX_TEXT_LENGTH,
  type ParseContext,
  refuse,
  unknownKey,
} from './parse-context.js';
import { guessType, parseValueTest } from './parse-value-test.js';

/** Default attributes a condition cannot use, with what to use instead. */
const NOT_IN_CONDITIONS: Record<string, string> = {
  $first_referrer_domain: 'use {"visit": "referrer_host"} instead',
};

/**
 * `{"attr", "op", "value"}`: the attribute's type decides the comparison; a `$` name must be a
 * default attribute; a name no one holds yet is compared as its value suggests, with a warning.
 */
export function parseAttributeLeaf(
  node: Record<string, unknown>,
  pointer: string,
  context: ParseContext,
): Condition | ConditionRefusal {
  const unknown = unknownKey(node, ['attr', 'op', 'value'], pointer, 'an attribute condition');
  if (unknown) return unknown;
  const name = node.attr;
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_TEXT_LENGTH) {
    return refuse(`${pointer}/attr`, 'attr needs an attribute name');
  }
  let type = context.attributeTypes.get(name);
  if (name.startsWith('$')) {
    if (name in NOT_IN_CONDITIONS) {
      return refuse(`${pointer}/attr`, `${name} cannot be used in conditions: ${NOT_IN_CONDITIONS[name]}`);
    }
    type = DEFAULT_ATTRIBUTES[name as keyof typeof DEFAULT_ATTRIBUTES];
    if (!type) return refuse(`${pointer}/attr`, `${name} is not a default attribute ($ names are reserved)`);
  }
  if (!type) {
    type = guessType(node.op, node.value);
    context.warnings.push({
      pointer: `${pointer}/attr`,
      code: 'UNKNOWN_ATTRIBUTE',
      message: `no person holds the attribute "${name}" yet; it is compared as a ${type}`,
    });
  }
  const test = parseValueTest(node, pointer, type, `attribute "${name}"`);
  return isRefusal(test) ? test : { attr: name, type, test };
}

/** `{"visit": FIELD, "op", "value"}`: text fields, and `new_visitor`, a boolean. */
export function parseVisitLeaf(node: Record<string, unknown>, pointer: string): Condition | ConditionRefusal {
  const unknown = unknownKey(node, ['visit', 'op', 'value'], pointer, 'a visit condition');
  if (unknown) return unknown;
  const field = node.visit;
  if (typeof field !== 'string' || !(VISIT_FIELDS as readonly string[]).includes(field)) {
    return refuse(`${pointer}/visit`, `visit must be one of ${VISIT_FIELDS.join(', ')}`);
  }
  const type = field === 'new_visitor' ? 'boolean' : 'string';
  const test = parseValueTest(node, pointer, type, `visit ${field}`);
  return isRefusal(test) ? test : { visit: field as VisitField, test };
}
