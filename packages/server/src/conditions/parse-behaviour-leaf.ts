import { type Condition, type CountTest, PAGE_OPS, type PageOp } from './condition.js';
import {
  type ConditionRefusal,
  isPlainObject,
  isRefusal,
  MAX_TEXT_LENGTH,
  parseDays,
  refuse,
  unknownKey,
} from './parse-context.js';
import { regexProblem } from './safe-regex.js';

const COUNT_OPS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'between'] as const;
const AT_LEAST_ONCE: CountTest = { op: 'gte', value: 1 };

/** Behaviour leaves (DESIGN §5): event, page and session counts in a window, and experiences seen. */
export function parseBehaviourLeaf(
  node: Record<string, unknown>,
  pointer: string,
): Condition | ConditionRefusal {
  if ('experience_seen' in node) {
    const unknown = unknownKey(node, ['experience_seen'], pointer, 'an experience_seen condition');
    if (unknown) return unknown;
    const id = node.experience_seen;
    if (typeof id !== 'string' || id.length === 0 || id.length > MAX_TEXT_LENGTH) {
      return refuse(`${pointer}/experience_seen`, 'experience_seen needs an experience id');
    }
    return { experience_seen: id };
  }
  const windowDays =
    node.within_days === undefined
      ? null
      : parseDays(node.within_days, `${pointer}/within_days`, 'within_days');
  if (isRefusal(windowDays)) return windowDays;
  if (windowDays === 0) return refuse(`${pointer}/within_days`, 'within_days must be at least 1');
  if ('sessions' in node) {
    const unknown = unknownKey(node, ['sessions', 'within_days'], pointer, 'a sessions condition');
    if (unknown) return unknown;
    const sessions = parseCount(node.sessions, `${pointer}/sessions`);
    return isRefusal(sessions) ? sessions : { sessions, within_days: windowDays };
  }
  const count = node.count === undefined ? AT_LEAST_ONCE : parseCount(node.count, `${pointer}/count`);
  if (isRefusal(count)) return count;
  if ('event' in node) {
    const unknown = unknownKey(node, ['event', 'count', 'within_days'], pointer, 'an event condition');
    if (unknown) return unknown;
    if (typeof node.event !== 'string' || node.event.length === 0 || node.event.length > MAX_TEXT_LENGTH) {
      return refuse(`${pointer}/event`, 'event needs an event name');
    }
    return { event: node.event, count, within_days: windowDays };
  }
  const unknown = unknownKey(node, ['page', 'count', 'within_days'], pointer, 'a page condition');
  if (unknown) return unknown;
  const page = node.page;
  if (!isPlainObject(page)) return refuse(`${pointer}/page`, 'page needs {"op", "value"}');
  const pageUnknown = unknownKey(page, ['op', 'value'], `${pointer}/page`, 'a page rule');
  if (pageUnknown) return pageUnknown;
  if (typeof page.op !== 'string' || !(PAGE_OPS as readonly string[]).includes(page.op)) {
    return refuse(`${pointer}/page/op`, `page op must be one of ${PAGE_OPS.join(', ')}`);
  }
  if (typeof page.value !== 'string' || page.value.length > MAX_TEXT_LENGTH) {
    return refuse(
      `${pointer}/page/value`,
      `page value must be a text of at most ${MAX_TEXT_LENGTH} characters`,
    );
  }
  const problem = page.op === 'regex' ? regexProblem(page.value) : null;
  if (problem) return refuse(`${pointer}/page/value`, problem);
  return { page: { op: page.op as PageOp, value: page.value }, count, within_days: windowDays };
}

function parseCount(node: unknown, pointer: string): CountTest | ConditionRefusal {
  if (!isPlainObject(node)) return refuse(pointer, 'a count needs {"op", "value"}');
  const unknown = unknownKey(node, ['op', 'value'], pointer, 'a count');
  if (unknown) return unknown;
  const op = node.op;
  if (typeof op !== 'string' || !(COUNT_OPS as readonly string[]).includes(op)) {
    return refuse(`${pointer}/op`, `a count op must be one of ${COUNT_OPS.join(', ')}`);
  }
  const isCount = (v: unknown): v is number =>
    typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 1e9;
  if (op === 'between') {
    const value = node.value;
    if (
      !Array.isArray(value) ||
      value.length !== 2 ||
      !isCount(value[0]) ||
      !isCount(value[1]) ||
      value[0] > value[1]
    ) {
      return refuse(`${pointer}/value`, 'between needs [low, high]: whole numbers with low ≤ high');
    }
    return { op, value: [value[0], value[1]] };
  }
  if (!isCount(node.value)) return refuse(`${pointer}/value`, 'a count must be a whole number of at least 0');
  return { op: op as CountTest['op'], value: node.value };
}
