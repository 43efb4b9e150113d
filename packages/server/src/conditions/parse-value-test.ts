import type { AttributeType } from '../attributes/attribute-types.js';
import { readAsType } from '../attributes/attribute-types.js';
import { type ComparedAs, type TestValue, VALUE_OPS, type ValueOp, type ValueTest } from './condition.js';
import {
  type ConditionRefusal,
  MAX_LIST_VALUES,
  MAX_TEXT_LENGTH,
  parseDays,
  refuse,
} from './parse-context.js';
import { regexProblem } from './safe-regex.js';

const TEXT_OPS: ValueOp[] = ['contains', 'not_contains', 'starts_with', 'ends_with', 'regex'];
const ORDER_OPS: ValueOp[] = ['gt', 'gte', 'lt', 'lte', 'between'];
const TIME_OPS: ValueOp[] = ['before', 'after', 'within_last_days', 'more_than_days_ago'];
const ANY_TYPE_OPS: ValueOp[] = ['eq', 'neq', 'in', 'nin', 'is_set', 'is_not_set'];

/** The operators each type supports (DESIGN §5): text operators on text, order on numbers and instants. */
export const OPS_BY_TYPE: Record<AttributeType, readonly ValueOp[]> = {
  string: [...ANY_TYPE_OPS, ...TEXT_OPS],
  list: [...ANY_TYPE_OPS, ...TEXT_OPS],
  number: [...ANY_TYPE_OPS, ...ORDER_OPS],
  datetime: [...ANY_TYPE_OPS, ...ORDER_OPS, ...TIME_OPS],
  boolean: ANY_TYPE_OPS,
};

/** The type to compare an attribute no one holds yet as, guessed from its operator and value. */
export function guessType(op: unknown, value: unknown): AttributeType {
  if (TIME_OPS.includes(op as ValueOp)) return 'datetime';
  const sample = Array.isArray(value) ? value[0] : value;
  if (typeof sample === 'number') return 'number';
  if (typeof sample === 'boolean') return 'boolean';
  return 'string';
}

/**
 * Reads `{op, value}` of a leaf compared as `type`: the operator must fit the type and the value
 * must read as it (numbers, instants in ms, booleans; text for strings and list elements).
 */
export function parseValueTest(
  node: Record<string, unknown>,
  pointer: string,
  type: ComparedAs,
  subject: string,
): ValueTest | ConditionRefusal {
  const op = node.op;
  if (typeof op !== 'string' || !(VALUE_OPS as readonly string[]).includes(op)) {
    return refuse(
      `${pointer}/op`,
      `unknown operator ${JSON.stringify(op)} (expected one of ${VALUE_OPS.join(', ')})`,
    );
  }
  if (!OPS_BY_TYPE[type].includes(op as ValueOp)) {
    return refuse(`${pointer}/op`, `operator ${op} does not apply to ${subject}, which is a ${type}`);
  }
  const valuePointer = `${pointer}/value`;
  const value = node.value;
  switch (op as ValueOp) {
    case 'is_set':
    case 'is_not_set':
      return { op: op as ValueOp, value: null };
    case 'in':
    case 'nin': {
      if (!Array.isArray(value) || value.length === 0 || value.length > MAX_LIST_VALUES) {
        return refuse(valuePointer, `${op} needs a list of 1 to ${MAX_LIST_VALUES} values`);
      }
      const values: TestValue[] = [];
      for (const [i, item] of value.entries()) {
        const read = readValue(item, type, `${valuePointer}/${i}`, subject);
        if (typeof read === 'object') return read;
        values.push(read);
      }
      return { op: op as ValueOp, value: values };
    }
    case 'between': {
      if (!Array.isArray(value) || value.length !== 2) {
        return refuse(valuePointer, 'between needs [low, high]');
      }
      const low = readValue(value[0], type, `${valuePointer}/0`, subject);
      if (typeof low === 'object') return low;
      const high = readValue(value[1], type, `${valuePointer}/1`, subject);
      if (typeof high === 'object') return high;
      if (low > high) return refuse(valuePointer, 'between needs [low, high] with low ≤ high');
      return { op: 'between', value: [low, high] };
    }
    case 'within_last_days':
    case 'more_than_days_ago': {
      const days = parseDays(value, valuePointer, op);
      return typeof days === 'object' ? days : { op: op as ValueOp, value: days };
    }
    case 'contains':
    case 'not_contains':
    case 'starts_with':
    case 'ends_with':
    case 'regex': {
      if (typeof value !== 'string' || value.length > MAX_TEXT_LENGTH) {
        return refuse(valuePointer, `${op} needs a text value of at most ${MAX_TEXT_LENGTH} characters`);
      }
      const problem = op === 'regex' ? regexProblem(value) : null;
      return problem ? refuse(valuePointer, problem) : { op: op as ValueOp, value };
    }
    default: {
      const read = readValue(value, type, valuePointer, subject);
      return typeof read === 'object' ? read : { op: op as ValueOp, value: read };
    }
  }
}

/** One value read as `type`: the form the evaluator and the SQL compiler compare with. */
function readValue(
  value: unknown,
  type: ComparedAs,
  pointer: string,
  subject: string,
): TestValue | ConditionRefusal {
  const misfit = () =>
    refuse(
      pointer,
      `${JSON.stringify(value) ?? 'nothing'} is not a ${type === 'list' ? 'list element' : type} (${subject} is a ${type})`,
    );
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return misfit();
  if (typeof value === 'string' && value.length > MAX_TEXT_LENGTH) {
    return refuse(pointer, `a value may hold at most ${MAX_TEXT_LENGTH} characters`);
  }
  switch (type) {
    case 'string':
    case 'list':
      return String(value);
    case 'number': {
      if (typeof value === 'boolean') return misfit();
      const read = readAsType(value, 'number');
      return read.ok ? (read.value as number) : misfit();
    }
    case 'boolean': {
      const read = readAsType(value, 'boolean');
      return read.ok ? (read.value as boolean) : misfit();
    }
    case 'datetime': {
      const read = readAsType(value, 'datetime');
      return read.ok ? Date.parse(read.value as string) : misfit();
    }
  }
}
