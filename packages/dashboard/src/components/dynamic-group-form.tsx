import { Button, Group, Stack, TextInput } from '@mantine/core';
import { useState } from 'react';
import { api } from '../api';
import { useAction } from '../use-action';
import { ConditionBuilder } from './condition-builder/condition-builder';
import type { Condition } from './condition-builder/condition-model';
import { LiveCount } from './condition-builder/live-count';
import type { GroupOverview } from './group-types';
import { ErrorNote } from './states';

interface DynamicGroupFormProps {
  /** The group being edited; a new group when absent. */
  group?: GroupOverview;
  initialName?: string;
  initialCondition?: Condition;
  onSaved(group: GroupOverview): void;
}

/** A dynamic group: a name and a condition built with the builder, counted live while editing. */
export function DynamicGroupForm({ group, initialName, initialCondition, onSaved }: DynamicGroupFormProps) {
  const [name, setName] = useState(group?.name ?? initialName ?? '');
  const [condition, setCondition] = useState<Condition>(group?.condition ?? initialCondition ?? { all: [] });
  const {
    run: save,
    error,
    busy: saving,
  } = useAction(async () => {
    const saved = group
      ? await api<GroupOverview>('PATCH', `/api/groups/${encodeURIComponent(group.id)}`, {
          name,
          condition,
        })
      : await api<GroupOverview>('POST', '/api/groups', { name, condition });
    onSaved(saved);
  });
  return (
    <Stack>
      <TextInput
        label="Group name"
        required
        value={name}
        onChange={(e) => setName(e.currentTarget.value)}
        maw={400}
      />
      <ConditionBuilder value={condition} onChange={setCondition} excludeGroup={group?.id} />
      <LiveCount condition={condition} />
      <ErrorNote error={error} />
      <Group>
        <Button onClick={() => void save()} loading={saving} disabled={!name.trim()}>
          {group ? 'Save group' : 'Create group'}
        </Button>
      </Group>
    </Stack>
  );
}
