import { Badge, Group, Paper, Text } from '@mantine/core';
import type { GroupOverview } from './group-types';

/** Users now, new and active in the last 7 days (and pending ids of a static group). */
export function GroupNumbers({ group }: { group: GroupOverview }) {
  const numbers: [string, string, number][] = [
    ['users', 'Users now', group.users],
    ['new', 'New in 7 days', group.new_users_7d],
    ['active', 'Active in 7 days', group.active_users_7d],
  ];
  if (group.pending !== undefined) numbers.push(['pending', 'Pending ids', group.pending]);
  return (
    <Group>
      {numbers.map(([key, label, value]) => (
        <Paper key={key} withBorder p="sm" miw={130} data-testid={`group-${key}`}>
          <Text size="xs" c="dimmed">
            {label}
          </Text>
          <Text size="xl" fw={700}>
            {value.toLocaleString()}
          </Text>
        </Paper>
      ))}
    </Group>
  );
}

/** Dynamic or static, readable on any background. */
export function GroupTypeBadge({ type }: { type: string }) {
  return (
    <Badge size="sm" color={type === 'dynamic' ? 'blue.9' : 'grape.9'}>
      {type}
    </Badge>
  );
}
