import { Button, Card, Group, Modal, NumberInput, Select, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { api } from '../api';
import type { Device } from '../pages/profile-page';
import { navigate } from '../router';
import { ErrorNote } from './states';

type Action = 'merge' | 'split' | 'delete';

/** Identity repair on a profile: merge another person in, split a device off, delete; each confirmed first. */
export function AdminActions(props: {
  profile: { person_id: number; user_id: string | null; devices: Device[] };
  onChanged(): void;
}) {
  const { profile } = props;
  const [action, setAction] = useState<Action | null>(null);
  const [other, setOther] = useState<number | string>('');
  const [device, setDevice] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const name = profile.user_id ?? `person #${profile.person_id}`;
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      if (action === 'merge') {
        await api('POST', '/api/admin/merge', {
          into: { person_id: profile.person_id },
          from: { person_id: Number(other) },
        });
      } else if (action === 'split') {
        await api('POST', '/api/admin/split', { anonymous_id: device });
      } else if (action === 'delete') {
        await api('DELETE', `/api/persons/${profile.person_id}`);
        navigate('/users');
        return;
      }
      setAction(null);
      props.onChanged();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card withBorder component="section" aria-labelledby="repair-title">
      <Title order={2} size="h3" id="repair-title" mb="sm">
        Admin actions
      </Title>
      <Group>
        <Button variant="light" onClick={() => setAction('merge')}>
          Merge another person in…
        </Button>
        <Button variant="light" disabled={profile.devices.length < 2} onClick={() => setAction('split')}>
          Split a device off…
        </Button>
        <Button color="red.9" variant="outline" onClick={() => setAction('delete')}>
          Delete this person…
        </Button>
      </Group>
      <Modal
        opened={action !== null}
        onClose={() => setAction(null)}
        title="Please confirm"
        closeButtonProps={{ 'aria-label': 'Close' }}
      >
        <Stack>
          {action === 'merge' && (
            <NumberInput label="Person id to merge into this one" value={other} onChange={setOther} min={1} />
          )}
          {action === 'split' && (
            <Select
              label="Device to split off"
              data={profile.devices.map((d) => d.anonymous_id)}
              value={device}
              onChange={setDevice}
            />
          )}
          <Text size="sm">
            {action === 'delete'
              ? `Delete ${name} with all attributes, ids and events? This cannot be undone.`
              : action === 'merge'
                ? `The other person's ids and events move to ${name}; ${name} keeps its attribute values.`
                : 'The device and its events become a person of their own.'}
          </Text>
          <ErrorNote error={error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setAction(null)}>
              Cancel
            </Button>
            <Button
              color={action === 'delete' ? 'red.9' : undefined}
              loading={busy}
              onClick={() => void confirm()}
            >
              {action === 'delete' ? 'Delete for good' : action === 'merge' ? 'Merge' : 'Split off'}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Card>
  );
}
