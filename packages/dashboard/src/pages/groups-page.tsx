import { Anchor, Button, Card, Group, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { CursorPager, useCursorList } from '../components/cursor-pager';
import { GroupTypeBadge } from '../components/group-numbers';
import type { GroupOverview, GroupTemplate } from '../components/group-types';
import { Empty, ErrorNote, Loading } from '../components/states';
import { linkTo, navigate } from '../router';
import { useCanChange } from '../session';
import { useApi } from '../use-api';

/** The groups: each with its users now, new and active in 7 days; templates to start from. */
export function GroupsPage() {
  const canChange = useCanChange();
  const { pages, page: list } = useCursorList<{
    groups: { id: string; name: string; type: string; users: number }[];
    next_cursor: string | null;
  }>('/api/groups');
  const groups = list.data?.groups ?? [];
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1}>Groups</Title>
        {canChange && (
          <Button component="a" {...linkTo('/groups/new')}>
            New group
          </Button>
        )}
      </Group>
      <ErrorNote error={list.error} />
      {list.loading && !list.data && <Loading />}
      {list.data && groups.length === 0 && (
        <Empty title="No groups yet">
          Build one with the condition builder (New group), paste a list of user ids, or start from a template
          below.
        </Empty>
      )}
      {groups.length > 0 && (
        <Table.ScrollContainer minWidth={600}>
          <Table striped highlightOnHover aria-label="Groups">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Type</Table.Th>
                <Table.Th ta="right">Users</Table.Th>
                <Table.Th ta="right">New in 7 days</Table.Th>
                <Table.Th ta="right">Active in 7 days</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {groups.map((g) => (
                <GroupRow key={g.id} group={g} />
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <CursorPager pages={pages} nextCursor={list.data?.next_cursor} />
      <Templates canChange={canChange} />
    </Stack>
  );
}

/** One row; its 7-day numbers come from the group's own overview, loaded row by row. */
function GroupRow({ group }: { group: { id: string; name: string; type: string; users: number } }) {
  const overview = useApi<GroupOverview>(`/api/groups/${encodeURIComponent(group.id)}`);
  const cell = (n: number | undefined) => (n === undefined ? '…' : n.toLocaleString());
  return (
    <Table.Tr>
      <Table.Td>
        <Anchor {...linkTo(`/groups/${encodeURIComponent(group.id)}`)}>{group.name}</Anchor>
      </Table.Td>
      <Table.Td>
        <GroupTypeBadge type={group.type} />
      </Table.Td>
      <Table.Td ta="right">{group.users.toLocaleString()}</Table.Td>
      <Table.Td ta="right">{cell(overview.data?.new_users_7d)}</Table.Td>
      <Table.Td ta="right">{cell(overview.data?.active_users_7d)}</Table.Td>
    </Table.Tr>
  );
}

function Templates({ canChange }: { canChange: boolean }) {
  const templates = useApi<{ templates: GroupTemplate[] }>('/api/group-templates');
  return (
    <section aria-labelledby="templates-title">
      <Title order={2} size="h3" id="templates-title" mb="sm">
        Templates
      </Title>
      <ErrorNote error={templates.error} />
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }}>
        {(templates.data?.templates ?? []).map((t) => (
          <Card key={t.key} withBorder>
            <Text fw={700}>{t.name}</Text>
            <Text size="sm" c="dimmed" mb="xs">
              {t.description}
            </Text>
            <Text size="sm" mb="xs">
              {t.users.toLocaleString()} users now
            </Text>
            {canChange && (
              <Button
                size="xs"
                variant="light"
                aria-label={`Use template ${t.name}`}
                onClick={() => navigate(`/groups/new?template=${encodeURIComponent(t.key)}`)}
              >
                Use template
              </Button>
            )}
          </Card>
        ))}
      </SimpleGrid>
    </section>
  );
}
