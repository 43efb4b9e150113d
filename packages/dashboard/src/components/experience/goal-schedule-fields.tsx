import { Group, NumberInput, SegmentedControl, Select, Stack, TextInput } from '@mantine/core';
import type { ExperienceDraft } from './experience-types';
import { UrlRuleFields } from './page-rules-editor';

type Fields = Pick<ExperienceDraft, 'goal' | 'frequency' | 'priority' | 'starts_at' | 'ends_at'>;

/** ISO time ↔ the `datetime-local` input (the browser's local time). */
const toLocal = (iso: string | null) => {
  if (!iso) return '';
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};
const fromLocal = (value: string) => (value ? new Date(value).toISOString() : null);

/** The goal (an event or a page), how often it shows, its priority and its schedule. */
export function GoalScheduleFields({
  value,
  onChange,
}: {
  value: Fields;
  onChange(fields: Partial<Fields>): void;
}) {
  const goal = value.goal;
  const goalKind = goal === null ? 'none' : 'event' in goal ? 'event' : 'url';
  return (
    <Stack gap="xs">
      <SegmentedControl
        aria-label="Goal"
        w="fit-content"
        data={[
          { value: 'none', label: 'No goal' },
          { value: 'event', label: 'An event' },
          { value: 'url', label: 'A page visit' },
        ]}
        value={goalKind}
        onChange={(k) =>
          onChange({
            goal:
              k === 'event'
                ? { event: '' }
                : k === 'url'
                  ? { url_rule: { op: 'contains', value: '' } }
                  : null,
          })
        }
      />
      {goal && 'event' in goal && (
        <TextInput
          label="Goal event"
          placeholder="purchase"
          w={240}
          value={goal.event}
          onChange={(e) => onChange({ goal: { event: e.currentTarget.value } })}
        />
      )}
      {goal && 'url_rule' in goal && (
        <Group gap="xs">
          <UrlRuleFields rule={goal.url_rule} onChange={(url_rule) => onChange({ goal: { url_rule } })} />
        </Group>
      )}
      <Group align="flex-end">
        <Select
          label="Frequency"
          w={200}
          allowDeselect={false}
          data={[
            { value: 'every_page', label: 'Every page' },
            { value: 'once_per_session', label: 'Once per session' },
            { value: 'once_per_user', label: 'Once per user' },
          ]}
          value={value.frequency}
          onChange={(f) => f && onChange({ frequency: f as Fields['frequency'] })}
        />
        <NumberInput
          label="Priority (higher first)"
          w={170}
          value={value.priority}
          onChange={(p) => onChange({ priority: Math.trunc(Number(p) || 0) })}
        />
        <TextInput
          label="Starts"
          type="datetime-local"
          value={toLocal(value.starts_at)}
          onChange={(e) => onChange({ starts_at: fromLocal(e.currentTarget.value) })}
        />
        <TextInput
          label="Ends"
          type="datetime-local"
          value={toLocal(value.ends_at)}
          onChange={(e) => onChange({ ends_at: fromLocal(e.currentTarget.value) })}
        />
      </Group>
    </Stack>
  );
}
