import { Group, Select, TextInput } from '@mantine/core';
import { useEffect, useState } from 'react';
import { DAY_OPS, LIST_OPS, NO_VALUE_OPS, valueAsText, valueFromText } from './condition-model';

interface ValueInputProps {
  type: string;
  op: string;
  value: unknown;
  label: string;
  onChange(value: unknown): void;
}

/** The value of a leaf, shaped by its op (none, a list, a range, days) and its type. */
export function ValueInput({ type, op, value, label, onChange }: ValueInputProps) {
  if (NO_VALUE_OPS.has(op)) return null;
  if (op === 'between') {
    const [low, high] = Array.isArray(value) ? value : ['', ''];
    const side = (v: unknown, i: number) => (
      <TypedText
        type={type}
        op="eq"
        label={`${label} ${i === 0 ? 'from' : 'to'}`}
        value={v}
        onChange={(next) => onChange(i === 0 ? [next, high] : [low, next])}
      />
    );
    return (
      <Group gap={4} wrap="nowrap">
        {side(low, 0)}
        {side(high, 1)}
      </Group>
    );
  }
  if (type === 'boolean' && !LIST_OPS.has(op)) {
    return (
      <Select
        aria-label={label}
        w={100}
        allowDeselect={false}
        data={['true', 'false']}
        value={String(value === true)}
        onChange={(v) => onChange(v === 'true')}
      />
    );
  }
  return (
    <TypedText
      type={DAY_OPS.has(op) ? 'number' : type}
      op={op}
      label={label}
      value={value}
      onChange={onChange}
    />
  );
}

/** A text box that keeps what is being typed ("gold, dia") while the leaf holds the parsed value. */
function TypedText({ type, op, value, label, onChange }: ValueInputProps) {
  const [text, setText] = useState(valueAsText(value));
  useEffect(() => {
    if (JSON.stringify(valueFromText(text, type, op)) !== JSON.stringify(value)) setText(valueAsText(value));
  }, [value, type, op, text]);
  const placeholder = LIST_OPS.has(op)
    ? 'a, b, c'
    : DAY_OPS.has(op)
      ? 'days'
      : type === 'datetime'
        ? '2026-01-31'
        : type === 'number'
          ? '0'
          : 'value';
  return (
    <TextInput
      aria-label={label}
      w={DAY_OPS.has(op) ? 90 : 160}
      placeholder={placeholder}
      value={text}
      onChange={(e) => {
        setText(e.currentTarget.value);
        onChange(valueFromText(e.currentTarget.value, type, op));
      }}
    />
  );
}
