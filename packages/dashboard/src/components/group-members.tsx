import { Anchor, Button, Group, Table, Text } from '@mantine/core';
import { download } from '../api';
import { linkTo } from '../router';
import { CursorPager, useCursorList } from './cursor-pager';
import { Empty, ErrorNote, Loading } from './states';

interface MembersPage {
  members: { person_id: number; user_id: string | null; first_seen: string; last_seen: string }[];
  total: number;
  next_cursor: string | null;
}

/** A group's members, paged by cursor on the server, with the CSV export. */
export function GroupMembers({ groupId }: { groupId: string }) {
  const base = `/api/groups/${encodeURIComponent(groupId)}/members`;
  const { pages, page } = useCursorList<MembersPage>(base);
  const members = page.data?.members ?? [];
  return (
    <section aria-labelledby="members-title">
      <Group justify="space-between" mb="xs">
        <Text id="members-title" fw={700}>
          Members{page.data ? ` (${page.data.total.toLocaleString()})` : ''}
        </Text>
        <Button
          size="xs"
          variant="default"
          onClick={() => void download(`${base}.csv`, `${groupId}-members.csv`)}
        >
          Export CSV
        </Button>
      </Group>
      <ErrorNote error={page.error} />
      {page.loading && !page.data && <Loading />}
      {page.data && members.length === 0 && (
        <Empty title="No members now">
          Members appear as users match the condition (or, for a static group, as its pending ids visit).
        </Empty>
      )}
      {members.length > 0 && (
        <Table.ScrollContainer minWidth={500}>
          <Table striped aria-label="Members">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>User id</Table.Th>
                <Table.Th>First seen</Table.Th>
                <Table.Th>Last seen</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {members.map((m) => (
                <Table.Tr key={m.person_id}>
                  <Table.Td>
                    <Anchor {...linkTo(`/users/${m.person_id}`)}>
                      {m.user_id ?? `anonymous #${m.person_id}`}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{new Date(m.first_seen).toLocaleString()}</Table.Td>
                  <Table.Td>{new Date(m.last_seen).toLocaleString()}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <CursorPager pages={pages} nextCursor={page.data?.next_cursor} size="xs" />
    </section>
  );
}
