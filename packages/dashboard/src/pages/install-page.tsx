import { snippet } from '@acquaint/sdk/snippet';
import { Alert, Badge, Card, Code, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import { api } from '../api';
import { ConfirmDelete } from '../components/confirm-delete';
import { CopyBlock } from '../components/copy-block';
import { Empty, ErrorNote, Loading } from '../components/states';
import { useCanChange, useSession } from '../session';

interface RecentEvent {
  id: number;
  type: string;
  name: string | null;
  anonymous_id: string | null;
  user_id: string | null;
  url: string | null;
  received_at: string;
}

const IDENTIFY_EXAMPLE = `document.getElementById('btnSignup').addEventListener('click', function () {
  acquaint.identify(document.getElementById('uid').value, {
    email: document.getElementById('email').value,
    phone: document.getElementById('phone').value,
    gender: document.getElementById('sex').value,
    age: document.getElementById('age').value,
    last_active_date: new Date(),
  });
});`;

/** How often the live view asks for the latest events. */
const POLL_MS = 2000;

/** Install the tag: the snippet with this project's write key, the identify example, and live events. */
export function InstallPage() {
  const { project } = useSession();
  const canChange = useCanChange();
  const code = snippet({ writeKey: project.write_key, host: window.location.origin });
  return (
    <Stack>
      <Title order={1}>Install</Title>
      <Card withBorder>
        <Stack>
          <Title order={2} size="h4">
            1. Paste the snippet in every page's &lt;head&gt;
          </Title>
          <Text size="sm">
            It loads the SDK, records page views and keeps an anonymous id per browser. The write key{' '}
            <Code>{project.write_key}</Code> is public: it may only send data.
          </Text>
          <CopyBlock code={code} label="snippet" />
          {canChange && <ReplaceWriteKey />}
        </Stack>
      </Card>
      <Card withBorder>
        <Stack>
          <Title order={2} size="h4">
            2. Identify users when they sign up or sign in
          </Title>
          <CopyBlock code={IDENTIFY_EXAMPLE} label="identify example" />
        </Stack>
      </Card>
      <LiveEvents />
    </Stack>
  );
}

/**
 * Replaces a leaked write key: the old one is refused at once, so the page says so before and
 * shows the new snippet after (the session's project is read again).
 */
function ReplaceWriteKey() {
  const { reloadProjects } = useSession();
  const [replaced, setReplaced] = useState(false);
  const replace = useCallback(async () => {
    await api('POST', '/api/project/write-key/rotate', {});
    await reloadProjects();
    setReplaced(true);
  }, [reloadProjects]);
  return (
    <Stack gap="xs" align="flex-start">
      {replaced && (
        <Alert color="green">
          <Text fw={700} size="sm">
            Write key replaced
          </Text>
          The snippet above carries the new key. Paste it in every page again and give it to your server
          libraries: the old key is refused from now on.
        </Alert>
      )}
      <ConfirmDelete
        label="Replace write key"
        confirmLabel="Replace write key"
        title="Replace the write key?"
        consequence="Use this if the key leaked to a site that is not yours. The current key is refused at once: pages with the old snippet and server libraries using it stop sending data until they get the new one."
        buttonProps={{ variant: 'default', size: 'xs' }}
        onConfirm={replace}
      />
    </Stack>
  );
}

function LiveEvents() {
  const [events, setEvents] = useState<RecentEvent[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let live = true;
    const poll = async () => {
      try {
        const answer = await api<{ events: RecentEvent[] }>('GET', '/api/events?limit=20');
        if (live) {
          setEvents(answer.events);
          setError(null);
        }
      } catch (e) {
        if (live) setError(e);
      }
    };
    void poll();
    const timer = setInterval(poll, POLL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, []);
  return (
    <Card withBorder>
      <Stack>
        <Group justify="space-between">
          <Title order={2} size="h4">
            3. Check that events arrive
          </Title>
          <Badge variant="dot" color="green">
            live
          </Badge>
        </Group>
        <ErrorNote error={error} />
        {events === null && !error && <Loading label="Waiting for events…" />}
        {events?.length === 0 && (
          <Empty title="No events yet">
            Open a page of your site that has the snippet: its page view shows up here within seconds.
          </Empty>
        )}
        {events && events.length > 0 && (
          <Table.ScrollContainer minWidth={600}>
            <Table striped aria-label="Latest events" data-testid="live-events">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Received</Table.Th>
                  <Table.Th>Type</Table.Th>
                  <Table.Th>Event</Table.Th>
                  <Table.Th>User id</Table.Th>
                  <Table.Th>Anonymous id</Table.Th>
                  <Table.Th>Page</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {events.map((e) => (
                  <Table.Tr key={e.id}>
                    <Table.Td>{new Date(e.received_at).toLocaleTimeString()}</Table.Td>
                    <Table.Td>{e.type}</Table.Td>
                    <Table.Td>{e.name}</Table.Td>
                    <Table.Td>{e.user_id}</Table.Td>
                    <Table.Td>{e.anonymous_id}</Table.Td>
                    <Table.Td style={{ wordBreak: 'break-all' }}>{e.url}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Stack>
    </Card>
  );
}
