import { Badge, Button, Card, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { download } from '../api';
import { AdminActions } from '../components/admin-actions';
import { asText } from '../components/attributes-table';
import { PersonMemberships } from '../components/person-memberships';
import { Empty, ErrorNote, Loading } from '../components/states';
import { linkTo } from '../router';
import { useCanChange } from '../session';
import { useApi } from '../use-api';

export interface Device {
  anonymous_id: string;
  device_type: string | null;
  os: string | null;
  browser: string | null;
  first_seen: string;
  last_seen: string;
  sessions: number;
}

interface Profile {
  person_id: number;
  user_id: string | null;
  identified: boolean;
  bound: boolean;
  imported: boolean;
  first_seen: string;
  last_seen: string;
  devices: Device[];
}

interface AttributeChange {
  name: string;
  value: unknown;
  updated_at: string | null;
  source: string | null;
}

interface TimelineEvent {
  message_id: string;
  type: string;
  name: string | null;
  anonymous_id: string | null;
  timestamp: string;
  url: string | null;
}

const EVENTS_PAGE = 25;
const describeDevice = (d: Device | undefined) =>
  d ? [d.device_type, d.os, d.browser].filter(Boolean).join(' · ') || 'unknown device' : 'by user id';

/** One person: attributes with the source and time of their last change, devices, timeline, admin actions. */
export function ProfilePage({ personId }: { personId: number }) {
  const canChange = useCanChange();
  const base = `/api/persons/${personId}`;
  const profile = useApi<Profile>(base);
  const attributes = useApi<{ attributes: AttributeChange[] }>(`${base}/attribute-changes`);
  const [offset, setOffset] = useState(0);
  const events = useApi<{ total: number; events: TimelineEvent[] }>(
    `${base}/events?limit=${EVENTS_PAGE}&offset=${offset}`,
  );
  if (profile.error) return <ErrorNote error={profile.error} />;
  if (!profile.data) return <Loading />;
  const p = profile.data;
  const deviceOf = new Map(p.devices.map((d) => [d.anonymous_id, d]));
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1}>{p.user_id ?? `Anonymous person #${p.person_id}`}</Title>
        <Button component="a" variant="subtle" {...linkTo('/users')}>
          Back to users
        </Button>
      </Group>
      <Group gap="xs">
        {p.identified ? <Badge>identified</Badge> : <Badge color="gray">anonymous</Badge>}
        {p.bound && <Badge color="teal.9">bound</Badge>}
        {p.imported && <Badge color="grape.9">imported</Badge>}
        <Text size="sm" c="dimmed">
          first seen {new Date(p.first_seen).toLocaleString()} · last seen{' '}
          {new Date(p.last_seen).toLocaleString()}
        </Text>
      </Group>
      <Card withBorder component="section" aria-labelledby="attributes-title">
        <Title order={2} size="h3" id="attributes-title" mb="sm">
          Attributes
        </Title>
        <ErrorNote error={attributes.error} />
        {!attributes.data && !attributes.error && <Loading />}
        {attributes.data && (
          <Table.ScrollContainer minWidth={500}>
            <Table aria-label="Attributes of this person" data-testid="profile-attributes">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Value</Table.Th>
                  <Table.Th>Last change</Table.Th>
                  <Table.Th>Source</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {attributes.data.attributes.map((a) => (
                  <Table.Tr key={a.name}>
                    <Table.Td>{a.name}</Table.Td>
                    <Table.Td style={{ wordBreak: 'break-all' }}>{asText(a.value)}</Table.Td>
                    <Table.Td>{a.updated_at ? new Date(a.updated_at).toLocaleString() : '—'}</Table.Td>
                    <Table.Td>{a.source ?? '—'}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Card>
      <Card withBorder component="section" aria-labelledby="devices-title">
        <Title order={2} size="h3" id="devices-title" mb="sm">
          Devices
        </Title>
        {p.devices.length === 0 ? (
          <Text size="sm">No device yet: this person was created by an import and has not visited.</Text>
        ) : (
          <Table.ScrollContainer minWidth={500}>
            <Table aria-label="Devices">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Anonymous id</Table.Th>
                  <Table.Th>Device</Table.Th>
                  <Table.Th>Sessions</Table.Th>
                  <Table.Th>Last seen</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {p.devices.map((d) => (
                  <Table.Tr key={d.anonymous_id}>
                    <Table.Td>{d.anonymous_id}</Table.Td>
                    <Table.Td>{describeDevice(d)}</Table.Td>
                    <Table.Td>{d.sessions}</Table.Td>
                    <Table.Td>{new Date(d.last_seen).toLocaleString()}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Card>
      <PersonMemberships personId={personId} />
      <Card withBorder component="section" aria-labelledby="timeline-title">
        <Title order={2} size="h3" id="timeline-title" mb="sm">
          Timeline (all devices)
        </Title>
        <ErrorNote error={events.error} />
        {events.data?.events.length === 0 && <Empty title="No events">This person has no events yet.</Empty>}
        {events.data && events.data.events.length > 0 && (
          <Table.ScrollContainer minWidth={600}>
            <Table aria-label="Timeline" striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Time</Table.Th>
                  <Table.Th>Event</Table.Th>
                  <Table.Th>Device</Table.Th>
                  <Table.Th>Page</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {events.data.events.map((e) => (
                  <Table.Tr key={e.message_id}>
                    <Table.Td>{new Date(e.timestamp).toLocaleString()}</Table.Td>
                    <Table.Td>{e.name ? `${e.type}: ${e.name}` : e.type}</Table.Td>
                    <Table.Td>
                      {describeDevice(e.anonymous_id ? deviceOf.get(e.anonymous_id) : undefined)}
                    </Table.Td>
                    <Table.Td style={{ wordBreak: 'break-all' }}>{e.url}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        <Group mt="sm">
          <Button
            variant="default"
            size="xs"
            disabled={offset === 0}
            onClick={() => setOffset(Math.max(0, offset - EVENTS_PAGE))}
          >
            Newer
          </Button>
          <Button
            variant="default"
            size="xs"
            disabled={!events.data || offset + EVENTS_PAGE >= events.data.total}
            onClick={() => setOffset(offset + EVENTS_PAGE)}
          >
            Older
          </Button>
        </Group>
      </Card>
      <Group>
        <Button variant="default" onClick={() => void download(`${base}/export`, `person-${personId}.json`)}>
          Export (JSON)
        </Button>
      </Group>
      {canChange && <AdminActions profile={p} onChanged={profile.reload} />}
    </Stack>
  );
}
