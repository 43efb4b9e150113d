import { Anchor, Badge, Card, Group, SimpleGrid, Table, Text, Title } from '@mantine/core';
import { linkTo } from '../router';
import { useApi } from '../use-api';
import { GroupTypeBadge } from './group-numbers';
import { ErrorNote, Loading } from './states';

interface Shown {
  id: string;
  name: string;
  status: string;
  variant: string;
  first_shown_at: string;
  last_shown_at: string;
}

/** A profile's groups now and the experiences shown to the person, with the variant given. */
export function PersonMemberships({ personId }: { personId: number }) {
  const groups = useApi<{ groups: { id: string; name: string; type: string }[] }>(
    `/api/persons/${personId}/groups`,
  );
  const shown = useApi<{ experiences: Shown[] }>(`/api/persons/${personId}/experiences`);
  return (
    <SimpleGrid cols={{ base: 1, md: 2 }}>
      <Card withBorder component="section" aria-labelledby="groups-title" data-testid="profile-groups">
        <Title order={2} size="h3" id="groups-title" mb="sm">
          Groups
        </Title>
        <ErrorNote error={groups.error} />
        {groups.loading && !groups.data && <Loading />}
        {groups.data?.groups.length === 0 && (
          <Text size="sm" c="dimmed">
            In no group now.
          </Text>
        )}
        <Group gap="xs">
          {groups.data?.groups.map((g) => (
            <Group key={g.id} gap={4}>
              <Anchor {...linkTo(`/groups/${encodeURIComponent(g.id)}`)}>{g.name}</Anchor>
              <GroupTypeBadge type={g.type} />
            </Group>
          ))}
        </Group>
      </Card>
      <Card withBorder component="section" aria-labelledby="seen-title" data-testid="profile-experiences">
        <Title order={2} size="h3" id="seen-title" mb="sm">
          Experiences seen
        </Title>
        <ErrorNote error={shown.error} />
        {shown.loading && !shown.data && <Loading />}
        {shown.data?.experiences.length === 0 && (
          <Text size="sm" c="dimmed">
            No experience shown yet.
          </Text>
        )}
        {(shown.data?.experiences.length ?? 0) > 0 && (
          <Table aria-label="Experiences seen">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Experience</Table.Th>
                <Table.Th>Variant</Table.Th>
                <Table.Th>Last shown</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {shown.data?.experiences.map((e) => (
                <Table.Tr key={e.id}>
                  <Table.Td>
                    <Anchor {...linkTo(`/experiences/${encodeURIComponent(e.id)}`)}>{e.name}</Anchor>
                  </Table.Td>
                  <Table.Td>
                    <Badge color="gray.8" variant="outline">
                      {e.variant}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{new Date(e.last_shown_at).toLocaleString()}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Card>
    </SimpleGrid>
  );
}
