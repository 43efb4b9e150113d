import { SegmentedControl, Stack, Title } from '@mantine/core';
import { useState } from 'react';
import { DynamicGroupForm } from '../components/dynamic-group-form';
import type { GroupTemplate } from '../components/group-types';
import { Loading } from '../components/states';
import { StaticGroupForm } from '../components/static-group-form';
import { navigate } from '../router';
import { useApi } from '../use-api';

/** A new group: dynamic (a condition, maybe from a template) or static (ids, a CSV, an import). */
export function NewGroupPage() {
  const templateKey = new URLSearchParams(window.location.search).get('template');
  const templates = useApi<{ templates: GroupTemplate[] }>(templateKey ? '/api/group-templates' : null);
  const template = templates.data?.templates.find((t) => t.key === templateKey);
  const [kind, setKind] = useState('dynamic');
  const open = (group: { id: string }) => navigate(`/groups/${encodeURIComponent(group.id)}`);
  return (
    <Stack>
      <Title order={1}>New group</Title>
      <SegmentedControl
        aria-label="Kind of group"
        w="fit-content"
        data={[
          { value: 'dynamic', label: 'Dynamic (a condition)' },
          { value: 'static', label: 'Static (a list of users)' },
        ]}
        value={kind}
        onChange={setKind}
      />
      {kind === 'static' ? (
        <StaticGroupForm onSaved={open} />
      ) : templateKey && !templates.data ? (
        <Loading />
      ) : (
        <DynamicGroupForm
          initialName={template?.name}
          initialCondition={template?.condition}
          onSaved={open}
        />
      )}
    </Stack>
  );
}
