import { Alert, Button, Group, Stack, Text, Textarea, Title } from '@mantine/core';
import { useState } from 'react';
import { api } from '../api';
import { ConfirmDelete } from '../components/confirm-delete';
import { DynamicGroupForm } from '../components/dynamic-group-form';
import { GroupMembers } from '../components/group-members';
import { GroupNumbers, GroupTypeBadge } from '../components/group-numbers';
import type { GroupOverview } from '../components/group-types';
import { ErrorNote, Loading } from '../components/states';
import { parseUserIds } from '../components/static-group-form';
import { navigate } from '../router';
import { useCanChange } from '../session';
import { useApi } from '../use-api';

/** One group: its numbers, its condition (editable) or its ids, members, export and delete. */
export function GroupPage({ groupId }: { groupId: string }) {
  const canChange = useCanChange();
  const path = `/api/groups/${encodeURIComponent(groupId)}`;
  const group = useApi<GroupOverview>(path);
  const [version, setVersion] = useState(0);
  if (group.error) return <ErrorNote error={group.error} />;
  if (!group.data) return <Loading />;
  const g = group.data;
  const saved = (next: GroupOverview) => {
    group.setData(next);
    setVersion((v) => v + 1);
  };
  return (
    <Stack>
      <Group justify="space-between">
        <Group gap="xs">
          <Title order={1}>{g.name}</Title>
          <GroupTypeBadge type={g.type} />
        </Group>
        {canChange && <DeleteGroup group={g} />}
      </Group>
      <GroupNumbers group={g} />
      {g.warnings?.map((w) => (
        <Alert key={w.message} color="orange">
          {w.message}
        </Alert>
      ))}
      {g.type === 'dynamic' ? (
        <section aria-labelledby="condition-title">
          <Title order={2} size="h3" id="condition-title" mb="sm">
            Condition
          </Title>
          {canChange ? (
            <DynamicGroupForm group={g} onSaved={saved} />
          ) : (
            <Text component="pre" size="sm">
              {JSON.stringify(g.condition, null, 2)}
            </Text>
          )}
        </section>
      ) : (
        canChange && <StaticMembersEditor group={g} onSaved={saved} />
      )}
      <GroupMembers key={version} groupId={g.id} />
    </Stack>
  );
}

/** Adds or takes out user ids of a static group. */
function StaticMembersEditor({ group, onSaved }: { group: GroupOverview; onSaved(g: GroupOverview): void }) {
  const [text, setText] = useState('');
  const [error, setError] = useState<unknown>(null);
  const change = async (method: 'POST' | 'DELETE') => {
    setError(null);
    try {
      onSaved(
        await api<GroupOverview>(method, `/api/groups/${encodeURIComponent(group.id)}/members`, {
          user_ids: parseUserIds(text),
        }),
      );
      setText('');
    } catch (e) {
      setError(e);
    }
  };
  const empty = parseUserIds(text).length === 0;
  return (
    <Stack gap="xs" maw={500}>
      <Textarea
        label="User ids to add or take out"
        autosize
        minRows={2}
        value={text}
        onChange={(e) => setText(e.currentTarget.value)}
      />
      <ErrorNote error={error} />
      <Group>
        <Button size="xs" disabled={empty} onClick={() => void change('POST')}>
          Add to group
        </Button>
        <Button size="xs" variant="default" disabled={empty} onClick={() => void change('DELETE')}>
          Take out of group
        </Button>
      </Group>
    </Stack>
  );
}

/** Delete with confirmation; a group still in use answers 409 with the reason, shown as is. */
function DeleteGroup({ group }: { group: GroupOverview }) {
  return (
    <ConfirmDelete
      label="Delete group"
      title={`Delete the group ${group.name}?`}
      consequence="The group goes; its users stay. Experiences and groups that use it must drop it first."
      buttonProps={{ color: 'red.9' }}
      onConfirm={async () => {
        await api('DELETE', `/api/groups/${encodeURIComponent(group.id)}`);
        navigate('/groups');
      }}
    />
  );
}
