/** The condition language of DESIGN §5 as the builder edits it: plain JSON, sent as is. */
export type Condition = Record<string, unknown>;

/** A node with children: all of them, any of them, or none of them (`not` around `any`). */
export type Junction = 'all' | 'any' | 'none';

export type LeafKind =
  | 'attr'
  | 'event'
  | 'page'
  | 'sessions'
  | 'visit'
  | 'in_group'
  | 'experience_seen'
  | 'identified'
  | 'imported'
  | 'bound';

export const LEAF_KINDS: { value: LeafKind; label: string }[] = [
  { value: 'attr', label: 'Attribute' },
  { value: 'event', label: 'Did event' },
  { value: 'page', label: 'Viewed page' },
  { value: 'sessions', label: 'Sessions' },
  { value: 'visit', label: 'Current visit' },
  { value: 'in_group', label: 'In group' },
  { value: 'experience_seen', label: 'Saw experience' },
  { value: 'identified', label: 'Identified' },
  { value: 'imported', label: 'Imported' },
  { value: 'bound', label: 'Bound' },
];

export const OP_LABELS: Record<string, string> = {
  eq: 'is',
  neq: 'is not',
  in: 'is one of',
  nin: 'is none of',
  contains: 'contains',
  not_contains: 'does not contain',
  starts_with: 'starts with',
  ends_with: 'ends with',
  regex: 'matches regex',
  gt: '>',
  gte: '≥',
  lt: '<',
  lte: '≤',
  between: 'between',
  is_set: 'is set',
  is_not_set: 'is not set',
  before: 'before',
  after: 'after',
  within_last_days: 'within the last … days',
  more_than_days_ago: 'more than … days ago',
  equals: 'equals',
};

/** The operators that make sense for each attribute type (DESIGN §5). */
export const OPS_BY_TYPE: Record<string, string[]> = {
  string: [
    'eq',
    'neq',
    'in',
    'nin',
    'contains',
    'not_contains',
    'starts_with',
    'ends_with',
    'regex',
    'is_set',
    'is_not_set',
  ],
  number: ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'between', 'in', 'nin', 'is_set', 'is_not_set'],
  boolean: ['eq', 'neq', 'is_set', 'is_not_set'],
  datetime: ['before', 'after', 'between', 'within_last_days', 'more_than_days_ago', 'is_set', 'is_not_set'],
  list: ['eq', 'neq', 'in', 'nin', 'contains', 'not_contains', 'is_set', 'is_not_set'],
};
export const COUNT_OPS = ['gte', 'gt', 'eq', 'lte', 'lt'];
export const PAGE_OPS = ['equals', 'contains', 'starts_with', 'regex'];
export const VISIT_FIELDS = [
  'device_type',
  'os',
  'browser',
  'new_visitor',
  'landing_page',
  'referrer_host',
  'utm_source',
  'utm_medium',
  'utm_campaign',
];

export function junctionOf(node: Condition): Junction | null {
  if (Array.isArray(node.all)) return 'all';
  if (Array.isArray(node.any)) return 'any';
  const inner = node.not as Condition | undefined;
  if (inner && typeof inner === 'object' && Array.isArray(inner.any)) return 'none';
  return null;
}

export function childrenOf(node: Condition): Condition[] {
  const junction = junctionOf(node);
  if (junction === 'all') return node.all as Condition[];
  if (junction === 'any') return node.any as Condition[];
  if (junction === 'none') return (node.not as Condition).any as Condition[];
  return [];
}

export function junction(kind: Junction, children: Condition[]): Condition {
  if (kind === 'none') return { not: { any: children } };
  return { [kind]: children };
}

/**
 * Any saved condition as the builder shows it: a junction at the top; `{not: X}` of a single
 * condition becomes "none of [X]", which means the same.
 */
export function asJunction(node: Condition | null | undefined): Condition {
  if (!node) return { all: [] };
  if (junctionOf(node)) return node;
  if (node.not && typeof node.not === 'object') return { not: { any: [node.not] } };
  return { all: [node] };
}

/** Normalises nested nodes the way asJunction does the root, so every level can be edited. */
export function isGroupNode(node: Condition): boolean {
  return junctionOf(node) !== null || (node.not !== undefined && typeof node.not === 'object');
}

export function leafKindOf(leaf: Condition): LeafKind {
  for (const kind of LEAF_KINDS) if (kind.value in leaf) return kind.value;
  return 'attr';
}

/** A fresh leaf of a kind, ready to fill in. */
export function newLeaf(kind: LeafKind, firstAttribute = ''): Condition {
  switch (kind) {
    case 'attr':
      return { attr: firstAttribute, op: 'eq', value: '' };
    case 'event':
      return { event: '', count: { op: 'gte', value: 1 }, within_days: 30 };
    case 'page':
      return { page: { op: 'contains', value: '' }, count: { op: 'gte', value: 1 }, within_days: 30 };
    case 'sessions':
      return { sessions: { op: 'gte', value: 3 }, within_days: 30 };
    case 'visit':
      return { visit: 'device_type', op: 'eq', value: 'mobile' };
    case 'in_group':
      return { in_group: '' };
    case 'experience_seen':
      return { experience_seen: '' };
    default:
      return { [kind]: true };
  }
}

/** Ops that take no value. */
export const NO_VALUE_OPS = new Set(['is_set', 'is_not_set']);
/** Ops that take a list of values. */
export const LIST_OPS = new Set(['in', 'nin']);
/** Ops that take a number of days. */
export const DAY_OPS = new Set(['within_last_days', 'more_than_days_ago']);

/** Reads what was typed into the value a leaf needs for its op and type. */
export function valueFromText(text: string, type: string, op: string): unknown {
  if (DAY_OPS.has(op)) return Number(text);
  if (LIST_OPS.has(op)) {
    return text
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean)
      .map((v) => scalar(v, type));
  }
  return scalar(text, type);
}

function scalar(text: string, type: string): unknown {
  if (type === 'number' && text.trim() !== '' && Number.isFinite(Number(text))) return Number(text);
  if (type === 'boolean') return text === 'true';
  return text;
}

/** The value as the input shows it. */
export function valueAsText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map(String).join(', ');
  return String(value);
}

/** The value an op change starts with, keeping what fits. */
export function valueForOp(op: string, type: string, previous: unknown): unknown {
  if (NO_VALUE_OPS.has(op)) return undefined;
  if (op === 'between') return Array.isArray(previous) && previous.length === 2 ? previous : ['', ''];
  if (DAY_OPS.has(op)) return typeof previous === 'number' ? previous : 30;
  if (LIST_OPS.has(op)) return Array.isArray(previous) ? previous : previous ? [previous] : [];
  if (type === 'boolean') return typeof previous === 'boolean' ? previous : true;
  return Array.isArray(previous) ? (previous[0] ?? '') : (previous ?? '');
}
