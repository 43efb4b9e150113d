import { Button, Card, Group, Select, Stack, Table, TextInput, Title } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { api } from '../api';
import { CopyBlock } from '../components/copy-block';
import { ErrorNote } from '../components/states';
import { type Account, useCanChange, useSession } from '../session';
import { useApi } from '../use-api';

/** Projects (create, switch) and, for owners and admins, accounts and invitation links. */
export function TeamPage() {
  const canChange = useCanChange();
  return (
    <Stack>
      <Title order={1}>Team &amp; projects</Title>
      <ProjectsCard />
      {canChange && <AccountsCard />}
    </Stack>
  );
}

function ProjectsCard() {
  const session = useSession();
  const canChange = useCanChange();
  const [name, setName] = useState('');
  const [error, setError] = useState<unknown>(null);
  const create = async (event: FormEvent) => {
    event.preventDefault();
    try {
      const project = await api<{ id: string }>('POST', '/api/projects', { name });
      setName('');
      await session.reloadProjects();
      session.switchProject(project.id);
    } catch (e) {
      setError(e);
    }
  };
  return (
    <Card withBorder component="section" aria-labelledby="projects-title">
      <Stack>
        <Title order={2} size="h3" id="projects-title">
          Projects
        </Title>
        <Table aria-label="Projects">
          <Table.Tbody>
            {session.projects.map((p) => (
              <Table.Tr key={p.id}>
                <Table.Td>{p.name}</Table.Td>
                <Table.Td>{p.id}</Table.Td>
                <Table.Td>
                  <Button
                    size="xs"
                    variant="light"
                    disabled={p.id === session.project.id}
                    onClick={() => session.switchProject(p.id)}
                  >
                    {p.id === session.project.id ? 'Current' : 'Switch'}
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        {canChange && (
          <form onSubmit={create}>
            <Group align="flex-end">
              <TextInput
                label="New project name"
                required
                value={name}
                onChange={(e) => setName(e.currentTarget.value)}
              />
              <Button type="submit">Create project</Button>
            </Group>
          </form>
        )}
        <ErrorNote error={error} />
      </Stack>
    </Card>
  );
}

function AccountsCard() {
  const accounts = useApi<{ accounts: (Account & { created_at: string })[] }>('/api/accounts');
  const [role, setRole] = useState<string | null>('viewer');
  const [link, setLink] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const invite = async () => {
    setError(null);
    try {
      const invitation = await api<{ token: string }>('POST', '/api/invitations', { role });
      setLink(`${window.location.origin}/invite?token=${encodeURIComponent(invitation.token)}`);
    } catch (e) {
      setError(e);
    }
  };
  const remove = async (account: Account) => {
    if (!window.confirm(`Remove ${account.email}? They are signed out at once.`)) return;
    try {
      await api('DELETE', `/api/accounts/${encodeURIComponent(account.id)}`);
      accounts.reload();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <Card withBorder component="section" aria-labelledby="accounts-title">
      <Stack>
        <Title order={2} size="h3" id="accounts-title">
          Accounts
        </Title>
        <ErrorNote error={accounts.error ?? error} />
        {accounts.data && (
          <Table aria-label="Accounts">
            <Table.Tbody>
              {accounts.data.accounts.map((a) => (
                <Table.Tr key={a.id}>
                  <Table.Td>{a.email}</Table.Td>
                  <Table.Td>{a.role}</Table.Td>
                  <Table.Td>
                    {a.role !== 'owner' && (
                      <Button
                        size="xs"
                        color="red.9"
                        variant="outline"
                        onClick={() => void remove(a)}
                        aria-label={`Remove ${a.email}`}
                      >
                        Remove
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        <Group align="flex-end">
          <Select
            label="Invite with role"
            data={['viewer', 'admin']}
            value={role}
            onChange={setRole}
            allowDeselect={false}
          />
          <Button onClick={() => void invite()}>Create invitation link</Button>
        </Group>
        {link && <CopyBlock code={link} label="invitation link" />}
      </Stack>
    </Card>
  );
}
