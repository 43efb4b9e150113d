import { Anchor, Button, Group, Stack, Table, Title } from '@mantine/core';
import { CursorPager, useCursorList } from '../components/cursor-pager';
import { StatusBadge } from '../components/experience/experience-actions';
import { EXPERIENCE_TYPES, type Experience } from '../components/experience/experience-types';
import { Empty, ErrorNote, Loading } from '../components/states';
import { linkTo } from '../router';
import { useCanChange } from '../session';

const typeLabel = (type: string) => EXPERIENCE_TYPES.find((t) => t.value === type)?.label ?? type;

/** The experiences with their status, newest first, paged by cursor. */
export function ExperiencesPage() {
  const canChange = useCanChange();
  const { pages, page } = useCursorList<{
    experiences: Experience[];
    total: number;
    next_cursor: string | null;
  }>('/api/experiences');
  const rows = page.data?.experiences ?? [];
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1}>Experiences</Title>
        {canChange && (
          <Button component="a" {...linkTo('/experiences/new')}>
            New experience
          </Button>
        )}
      </Group>
      <ErrorNote error={page.error} />
      {page.loading && !page.data && <Loading />}
      {page.data && rows.length === 0 && (
        <Empty title="No experiences yet">
          Create one (New experience): a banner, popup, bar, page edit or redirect for a group of your users,
          then publish it.
        </Empty>
      )}
      {rows.length > 0 && (
        <Table.ScrollContainer minWidth={600}>
          <Table striped highlightOnHover aria-label="Experiences">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Type</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Priority</Table.Th>
                <Table.Th>Updated</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((e) => (
                <Table.Tr key={e.id}>
                  <Table.Td>
                    <Anchor {...linkTo(`/experiences/${encodeURIComponent(e.id)}`)}>{e.name}</Anchor>
                  </Table.Td>
                  <Table.Td>{typeLabel(e.type)}</Table.Td>
                  <Table.Td>
                    <StatusBadge status={e.status} />
                  </Table.Td>
                  <Table.Td>{e.priority ?? 0}</Table.Td>
                  <Table.Td>{new Date(e.updated_at).toLocaleString()}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <CursorPager pages={pages} nextCursor={page.data?.next_cursor} />
    </Stack>
  );
}
