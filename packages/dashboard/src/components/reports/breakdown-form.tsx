import { Group, Select, TextInput } from '@mantine/core';
import { useApi } from '../../use-api';
import { GroupsPicker } from '../group-picker';

export const METRICS = [
  { value: 'visitors', label: 'Visitors' },
  { value: 'sessions', label: 'Sessions' },
  { value: 'pageviews', label: 'Page views' },
  { value: 'event_count', label: 'Event count' },
  { value: 'conversion_rate', label: 'Conversion rate' },
  { value: 'sessions_per_visitor', label: 'Sessions per visitor' },
];

/** What the breakdown report is asked: a metric (and its event), and what to break it down by. */
export interface BreakdownChoice {
  metric: string;
  event: string;
  by: 'attr' | 'device_type' | 'groups';
  attr: string | null;
  groups: string[];
  interval: 'day' | 'week';
}

export const needsEvent = (metric: string) => metric === 'event_count' || metric === 'conversion_rate';

export function breakdownBody(choice: BreakdownChoice) {
  return {
    metric: needsEvent(choice.metric)
      ? { type: choice.metric, event: choice.event }
      : { type: choice.metric },
    breakdown:
      choice.by === 'attr'
        ? { attr: choice.attr ?? '' }
        : choice.by === 'groups'
          ? { groups: choice.groups }
          : { device_type: true },
    interval: choice.interval,
  };
}

export function BreakdownForm({
  value,
  onChange,
}: {
  value: BreakdownChoice;
  onChange(c: BreakdownChoice): void;
}) {
  const attributes = useApi<{ attributes: { name: string }[] }>('/api/attributes');
  const set = (fields: Partial<BreakdownChoice>) => onChange({ ...value, ...fields });
  return (
    <Group align="flex-end" wrap="wrap">
      <Select
        label="Metric"
        w={190}
        allowDeselect={false}
        data={METRICS}
        value={value.metric}
        onChange={(metric) => metric && set({ metric })}
      />
      {needsEvent(value.metric) && (
        <TextInput
          label={value.metric === 'conversion_rate' ? 'Conversion event' : 'Event'}
          placeholder="purchase"
          w={170}
          value={value.event}
          onChange={(e) => set({ event: e.currentTarget.value })}
        />
      )}
      <Select
        label="Break down by"
        w={170}
        allowDeselect={false}
        data={[
          { value: 'attr', label: 'An attribute' },
          { value: 'device_type', label: 'Device type' },
          { value: 'groups', label: 'Groups' },
        ]}
        value={value.by}
        onChange={(by) => by && set({ by: by as BreakdownChoice['by'] })}
      />
      {value.by === 'attr' && (
        <Select
          label="Attribute"
          w={200}
          searchable
          data={(attributes.data?.attributes ?? []).map((a) => a.name)}
          value={value.attr}
          onChange={(attr) => set({ attr })}
        />
      )}
      {value.by === 'groups' && (
        <GroupsPicker label="Groups" w={300} value={value.groups} onChange={(ids) => set({ groups: ids })} />
      )}
      <Select
        label="Interval"
        w={110}
        allowDeselect={false}
        data={[
          { value: 'day', label: 'Day' },
          { value: 'week', label: 'Week' },
        ]}
        value={value.interval}
        onChange={(interval) => interval && set({ interval: interval as BreakdownChoice['interval'] })}
      />
    </Group>
  );
}
