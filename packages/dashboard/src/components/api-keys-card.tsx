import { Alert, Button, Card, Checkbox, Group, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { api } from '../api';
import { useApi } from '../use-api';
import { ConfirmDelete } from './confirm-delete';
import { CopyBlock } from './copy-block';
import { ErrorNote, Loading } from './states';

interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : 'never');

/** Secret API keys: create with scopes (shown once), revoke, last used. */
export function ApiKeysCard() {
  const { data, error, reload } = useApi<{ keys: ApiKey[] }>('/api/keys');
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>(['query']);
  const [created, setCreated] = useState<string | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const create = async (event: FormEvent) => {
    event.preventDefault();
    setActionError(null);
    try {
      const key = await api<{ key: string }>('POST', '/api/keys', { name, scopes });
      setCreated(key.key);
      setName('');
      reload();
    } catch (e) {
      setActionError(e);
    }
  };
  const revoke = async (key: ApiKey) => {
    await api('DELETE', `/api/keys/${encodeURIComponent(key.id)}`);
    reload();
  };
  const live = data?.keys.filter((k) => !k.revoked_at) ?? [];
  return (
    <Card withBorder component="section" aria-labelledby="keys-title">
      <Stack>
        <Title order={2} size="h3" id="keys-title">
          API keys
        </Title>
        <ErrorNote error={error ?? actionError} />
        {!data && !error && <Loading />}
        {created && (
          <Alert color="green">
            <Text fw={700} size="sm" mb="xs">
              Copy the new key now: it is shown only once
            </Text>
            <CopyBlock code={created} label="API key" />
          </Alert>
        )}
        {data && (
          <Table.ScrollContainer minWidth={600}>
            <Table aria-label="API keys">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Key</Table.Th>
                  <Table.Th>Scopes</Table.Th>
                  <Table.Th>Last used</Table.Th>
                  <Table.Th>Revoke</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {live.map((k) => (
                  <Table.Tr key={k.id}>
                    <Table.Td>{k.name}</Table.Td>
                    <Table.Td>{k.prefix}…</Table.Td>
                    <Table.Td>{k.scopes.join(', ')}</Table.Td>
                    <Table.Td>{when(k.last_used_at)}</Table.Td>
                    <Table.Td>
                      <ConfirmDelete
                        label="Revoke"
                        confirmLabel="Revoke"
                        title={`Revoke the key "${k.name}"?`}
                        consequence="Programs using it are refused from now on. This cannot be undone."
                        buttonProps={{
                          size: 'xs',
                          color: 'red.9',
                          variant: 'outline',
                          'aria-label': `Revoke ${k.name}`,
                        }}
                        onConfirm={() => revoke(k)}
                      />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        <form onSubmit={create}>
          <Group align="flex-end">
            <TextInput
              label="New key name"
              required
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
            />
            <Checkbox.Group label="Scopes" value={scopes} onChange={setScopes}>
              <Group mt={6}>
                <Checkbox value="query" label="query" />
                <Checkbox value="upload" label="upload" />
                <Checkbox value="admin" label="admin" />
              </Group>
            </Checkbox.Group>
            <Button type="submit" disabled={scopes.length === 0}>
              Create key
            </Button>
          </Group>
        </form>
      </Stack>
    </Card>
  );
}
