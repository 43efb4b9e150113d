import { ActionIcon, Button, Group, Paper, Select, Stack, Text } from '@mantine/core';
import { BuilderOptionsContext, useBuilderOptions, useLoadBuilderOptions } from './builder-options';
import { LeafFields } from './condition-leaf';
import {
  asJunction,
  type Condition,
  childrenOf,
  isGroupNode,
  type Junction,
  junction,
  junctionOf,
  LEAF_KINDS,
  type LeafKind,
  leafKindOf,
  newLeaf,
} from './condition-model';

interface ConditionBuilderProps {
  value: Condition | null;
  onChange(condition: Condition): void;
  /** The group being edited, left out of `in_group` choices. */
  excludeGroup?: string;
  readOnly?: boolean;
}

/**
 * Builds a DESIGN §5 condition: attribute, behaviour, visit and group leaves under nested
 * all / any / none-of nodes. The value is the JSON the API takes, sent as is.
 */
export function ConditionBuilder({ value, onChange, excludeGroup, readOnly }: ConditionBuilderProps) {
  const options = useLoadBuilderOptions(excludeGroup);
  return (
    <BuilderOptionsContext.Provider value={options}>
      <fieldset disabled={readOnly} style={{ border: 0, padding: 0, margin: 0 }}>
        <JunctionNode node={asJunction(value)} onChange={onChange} depth={0} />
      </fieldset>
    </BuilderOptionsContext.Provider>
  );
}

/** The attribute a new leaf starts with: the first of the owner's own (not a `$` default). */
const firstOwnAttribute = (attributes: { name: string }[]) =>
  (attributes.find((a) => !a.name.startsWith('$')) ?? attributes[0])?.name;

/** Stable React keys for rows: a row keeps its key when edited (the new object inherits it). */
const rowKeys = new WeakMap<Condition, number>();
let nextRowKey = 1;
function keyOf(node: Condition): number {
  let key = rowKeys.get(node);
  if (key === undefined) {
    key = nextRowKey++;
    rowKeys.set(node, key);
  }
  return key;
}
function carryKey(from: Condition, to: Condition): Condition {
  rowKeys.set(to, keyOf(from));
  return to;
}

const JUNCTIONS: { value: Junction; label: string }[] = [
  { value: 'all', label: 'all of' },
  { value: 'any', label: 'any of' },
  { value: 'none', label: 'none of' },
];

interface NodeProps {
  node: Condition;
  onChange(node: Condition): void;
  depth: number;
  onRemove?: () => void;
}

/** A node with children: its junction, its rows, and buttons to add a condition or a nested group. */
function JunctionNode({ node, onChange, depth, onRemove }: NodeProps) {
  const { attributes } = useBuilderOptions();
  const kind = junctionOf(node) ?? 'all';
  const children = childrenOf(node);
  const setChildren = (next: Condition[]) => onChange(junction(kind, next));
  const label = depth === 0 ? 'Users matching' : 'Nested group matching';
  return (
    <Paper
      withBorder
      p="xs"
      bg={depth % 2 === 0 ? undefined : 'gray.0'}
      data-testid={`condition-node-${depth}`}
    >
      <Stack gap="xs">
        <Group gap="xs">
          <Text size="sm">{label}</Text>
          <Select
            aria-label={depth === 0 ? 'Match' : 'Nested match'}
            w={110}
            size="xs"
            allowDeselect={false}
            data={JUNCTIONS}
            value={kind}
            onChange={(next) => next && onChange(junction(next as Junction, children))}
          />
          <Text size="sm">these conditions</Text>
          {onRemove && (
            <Button size="xs" variant="default" onClick={onRemove}>
              Remove group
            </Button>
          )}
        </Group>
        {children.length === 0 && (
          <Text size="sm" c="dimmed">
            {kind === 'any' ? 'No condition: matches no one.' : 'No condition yet: matches every user.'}
          </Text>
        )}
        {children.map((child, index) => {
          const replace = (next: Condition) =>
            setChildren(children.map((c, i) => (i === index ? carryKey(child, next) : c)));
          const remove = () => setChildren(children.filter((_, i) => i !== index));
          return isGroupNode(child) ? (
            <JunctionNode
              key={keyOf(child)}
              node={asJunction(child)}
              onChange={replace}
              onRemove={remove}
              depth={depth + 1}
            />
          ) : (
            <LeafRow key={keyOf(child)} leaf={child} onChange={replace} onRemove={remove} />
          );
        })}
        <Group gap="xs">
          <Button
            size="xs"
            variant="light"
            onClick={() => setChildren([...children, newLeaf('attr', firstOwnAttribute(attributes))])}
          >
            Add condition
          </Button>
          {depth < 3 && (
            <Button size="xs" variant="default" onClick={() => setChildren([...children, { any: [] }])}>
              Add nested group
            </Button>
          )}
        </Group>
      </Stack>
    </Paper>
  );
}

/** One leaf: its kind, then the fields of that kind. */
function LeafRow({
  leaf,
  onChange,
  onRemove,
}: {
  leaf: Condition;
  onChange(c: Condition): void;
  onRemove(): void;
}) {
  const { attributes } = useBuilderOptions();
  const kind = leafKindOf(leaf);
  return (
    <Group gap="xs" wrap="wrap" data-testid="condition-leaf">
      <Select
        aria-label="Condition kind"
        w={150}
        allowDeselect={false}
        data={LEAF_KINDS}
        value={kind}
        onChange={(next) => next && onChange(newLeaf(next as LeafKind, firstOwnAttribute(attributes)))}
      />
      <LeafFields leaf={leaf} onChange={onChange} kind={kind} />
      <ActionIcon variant="subtle" color="red.9" aria-label="Remove condition" onClick={onRemove}>
        ×
      </ActionIcon>
    </Group>
  );
}
