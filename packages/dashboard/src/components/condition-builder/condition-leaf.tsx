import { NumberInput, Select, Text, TextInput } from '@mantine/core';
import { GroupPicker } from '../group-picker';
import { useBuilderOptions } from './builder-options';
import {
  COUNT_OPS,
  type Condition,
  OP_LABELS,
  OPS_BY_TYPE,
  PAGE_OPS,
  VISIT_FIELDS,
  valueForOp,
} from './condition-model';
import { ValueInput } from './value-input';

interface LeafProps {
  leaf: Condition;
  onChange(leaf: Condition): void;
}

const opsData = (ops: string[]) => ops.map((op) => ({ value: op, label: OP_LABELS[op] ?? op }));

/** `{"attr", "op", "value"}`: the operators follow the attribute's type. */
export function AttributeLeaf({ leaf, onChange }: LeafProps) {
  const { attributes } = useBuilderOptions();
  const name = String(leaf.attr ?? '');
  const typeOf = (n: unknown) => attributes.find((a) => a.name === n)?.type ?? 'string';
  const names = attributes.map((a) => a.name);
  return (
    <>
      <Select
        aria-label="Attribute"
        placeholder="attribute"
        w={180}
        searchable
        allowDeselect={false}
        data={names.includes(name) || !name ? names : [name, ...names]}
        value={name || null}
        onChange={(next) => onChange(retarget({ attr: next ?? '' }, typeOf(next), leaf))}
      />
      <OpAndValue leaf={leaf} subject={{ attr: name }} type={typeOf(name)} onChange={onChange} />
    </>
  );
}

/** The operator and value of an attribute or visit leaf; a new operator keeps the value that fits. */
function OpAndValue({ leaf, subject, type, onChange }: LeafProps & { subject: Condition; type: string }) {
  const ops = OPS_BY_TYPE[type] ?? OPS_BY_TYPE.string;
  const op = String(leaf.op ?? 'eq');
  return (
    <>
      <Select
        aria-label="Operator"
        w={170}
        allowDeselect={false}
        data={opsData(ops.includes(op) ? ops : [op, ...ops])}
        value={op}
        onChange={(next) =>
          next && onChange({ ...subject, op: next, ...withValue(valueForOp(next, type, leaf.value)) })
        }
      />
      <ValueInput
        type={type}
        op={op}
        value={leaf.value}
        label="Value"
        onChange={(value) => onChange({ ...leaf, value })}
      />
    </>
  );
}

/** A leaf pointed at another attribute or visit field: its operator if the new type has it, else the first. */
function retarget(subject: Condition, type: string, leaf: Condition): Condition {
  const ops = OPS_BY_TYPE[type] ?? OPS_BY_TYPE.string;
  const op = ops.includes(String(leaf.op)) ? String(leaf.op) : ops[0];
  return { ...subject, op, ...withValue(valueForOp(op, type, leaf.value)) };
}

/** `{"event"}`, `{"page"}` and `{"sessions"}`: a count in the last D days. */
export function BehaviourLeaf({ leaf, onChange }: LeafProps) {
  const count = (leaf.sessions ?? leaf.count ?? { op: 'gte', value: 1 }) as { op: string; value: number };
  const countKey = 'sessions' in leaf ? 'sessions' : 'count';
  const page = leaf.page as { op: string; value: string } | undefined;
  return (
    <>
      {'event' in leaf && (
        <TextInput
          aria-label="Event name"
          placeholder="purchase"
          w={160}
          value={String(leaf.event ?? '')}
          onChange={(e) => onChange({ ...leaf, event: e.currentTarget.value })}
        />
      )}
      {page && (
        <>
          <Select
            aria-label="URL test"
            w={130}
            allowDeselect={false}
            data={opsData(PAGE_OPS)}
            value={page.op}
            onChange={(op) => op && onChange({ ...leaf, page: { ...page, op } })}
          />
          <TextInput
            aria-label="URL"
            placeholder="/pricing"
            w={160}
            value={page.value}
            onChange={(e) => onChange({ ...leaf, page: { ...page, value: e.currentTarget.value } })}
          />
        </>
      )}
      <Select
        aria-label="Count test"
        w={70}
        allowDeselect={false}
        data={opsData(COUNT_OPS)}
        value={count.op}
        onChange={(op) => op && onChange({ ...leaf, [countKey]: { ...count, op } })}
      />
      <NumberInput
        aria-label="Times"
        w={80}
        min={0}
        value={count.value}
        onChange={(value) => onChange({ ...leaf, [countKey]: { ...count, value: Number(value) || 0 } })}
      />
      <Text size="sm">times in the last</Text>
      <NumberInput
        aria-label="Days"
        w={80}
        min={1}
        value={Number(leaf.within_days ?? 30)}
        onChange={(value) => onChange({ ...leaf, within_days: Number(value) || 1 })}
      />
      <Text size="sm">days</Text>
    </>
  );
}

/** `{"visit": FIELD, "op", "value"}`: the visit being decided (any device, in counts). */
export function VisitLeaf({ leaf, onChange }: LeafProps) {
  const field = String(leaf.visit);
  const typeOf = (f: unknown) => (f === 'new_visitor' ? 'boolean' : 'string');
  return (
    <>
      <Select
        aria-label="Visit field"
        w={150}
        allowDeselect={false}
        data={VISIT_FIELDS}
        value={field}
        onChange={(next) => next && onChange(retarget({ visit: next }, typeOf(next), leaf))}
      />
      <OpAndValue leaf={leaf} subject={{ visit: field }} type={typeOf(field)} onChange={onChange} />
    </>
  );
}

/** `{"in_group"}` (searched on the server) and `{"experience_seen"}`. */
export function ReferenceLeaf({ leaf, onChange }: LeafProps) {
  const { experiences, excludeGroup } = useBuilderOptions();
  if ('in_group' in leaf) {
    return (
      <GroupPicker
        aria-label="Group"
        placeholder="choose a group"
        w={220}
        exclude={excludeGroup}
        value={String(leaf.in_group ?? '')}
        onChange={(id) => onChange({ in_group: id })}
      />
    );
  }
  const items = experiences.map((g) => ({ value: g.id, label: g.name }));
  const id = String(leaf.experience_seen ?? '');
  return (
    <Select
      aria-label="Experience"
      placeholder="choose an experience"
      w={220}
      searchable
      allowDeselect={false}
      data={id && !items.some((i) => i.value === id) ? [{ value: id, label: id }, ...items] : items}
      value={id || null}
      onChange={(next) => onChange({ experience_seen: next ?? '' })}
    />
  );
}

/** `{"identified" | "imported" | "bound": true | false}`. */
export function FlagLeaf({ leaf, onChange, kind }: LeafProps & { kind: string }) {
  return (
    <Select
      aria-label={`${kind} is`}
      w={100}
      allowDeselect={false}
      data={['true', 'false']}
      value={String(leaf[kind] === true)}
      onChange={(v) => onChange({ [kind]: v === 'true' })}
    />
  );
}

function withValue(value: unknown): { value?: unknown } {
  return value === undefined ? {} : { value };
}

export function LeafFields({ leaf, onChange, kind }: LeafProps & { kind: string }) {
  if (kind === 'attr') return <AttributeLeaf leaf={leaf} onChange={onChange} />;
  if (kind === 'event' || kind === 'page' || kind === 'sessions') {
    return <BehaviourLeaf leaf={leaf} onChange={onChange} />;
  }
  if (kind === 'visit') return <VisitLeaf leaf={leaf} onChange={onChange} />;
  if (kind === 'in_group' || kind === 'experience_seen')
    return <ReferenceLeaf leaf={leaf} onChange={onChange} />;
  return <FlagLeaf leaf={leaf} onChange={onChange} kind={kind} />;
}
