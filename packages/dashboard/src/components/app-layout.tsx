import { AppShell, Burger, Button, Group, NavLink, Select, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import type { ReactNode } from 'react';
import { linkTo } from '../router';
import { useSession } from '../session';

const PAGES = [
  { path: '/', label: 'Install' },
  { path: '/data-settings', label: 'Data Settings' },
  { path: '/users', label: 'Users' },
  { path: '/imports', label: 'Imports' },
  { path: '/groups', label: 'Groups' },
  { path: '/experiences', label: 'Experiences' },
  { path: '/reports', label: 'Reports' },
  { path: '/team', label: 'Team & projects' },
];

/** The frame of every signed-in page: navigation, project switcher, account and sign-out. */
export function AppLayout({ path, children }: { path: string; children: ReactNode }) {
  const session = useSession();
  const [opened, { toggle, close }] = useDisclosure();
  const active = (page: string) => (page === '/' ? path === '/' : path.startsWith(page));
  return (
    <AppShell
      header={{ height: 60 }}
      navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Open navigation" />
            <Title order={2} size="h4">
              Acquaint
            </Title>
          </Group>
          <Group wrap="nowrap" gap="sm">
            <Select
              aria-label="Project"
              size="xs"
              w={{ base: 120, sm: 180 }}
              allowDeselect={false}
              data={session.projects.map((p) => ({ value: p.id, label: p.name }))}
              value={session.project.id}
              onChange={(id) => id && session.switchProject(id)}
            />
            <Text size="sm" visibleFrom="sm" c="dimmed">
              {session.account.email} ({session.account.role})
            </Text>
            <Button size="xs" variant="default" onClick={() => void session.signOut()}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Pages">
        {PAGES.map((page) => (
          <NavLink
            key={page.path}
            component="a"
            label={page.label}
            active={active(page.path)}
            aria-current={active(page.path) ? 'page' : undefined}
            {...linkTo(page.path)}
            onClickCapture={close}
          />
        ))}
      </AppShell.Navbar>
      <AppShell.Main>{children}</AppShell.Main>
    </AppShell>
  );
}
