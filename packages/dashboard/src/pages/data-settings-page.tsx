import { Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { ApiKeysCard } from '../components/api-keys-card';
import { AttributesTable } from '../components/attributes-table';
import { ErrorNote, Loading } from '../components/states';
import { VerificationCard } from '../components/verification-card';
import { useCanChange } from '../session';
import { useApi } from '../use-api';

interface Stats {
  persons: number;
  identified: number;
  anonymous: number;
  bound: number;
  imported: number;
  imported_not_bound: number;
  devices: number;
  devices_per_identified_user: number;
}

const FIGURES: [keyof Stats, string][] = [
  ['persons', 'Users'],
  ['identified', 'Identified'],
  ['anonymous', 'Anonymous'],
  ['imported', 'Imported'],
  ['bound', 'Bound'],
  ['imported_not_bound', 'Imported, not bound'],
  ['devices_per_identified_user', 'Devices per identified user'],
];

/** Data Settings: identification overview, attributes, identity verification, API keys. */
export function DataSettingsPage() {
  const canChange = useCanChange();
  const stats = useApi<Stats>('/api/stats/identification');
  return (
    <Stack>
      <Title order={1}>Data Settings</Title>
      <section aria-labelledby="identification-title">
        <Title order={2} size="h3" id="identification-title" mb="sm">
          Identification
        </Title>
        <ErrorNote error={stats.error} />
        {stats.loading && !stats.data && <Loading />}
        {stats.data && (
          <SimpleGrid cols={{ base: 2, sm: 4, lg: 7 }}>
            {FIGURES.map(([key, label]) => (
              <Paper withBorder p="sm" key={key} data-testid={`stat-${key}`}>
                <Text size="xs" c="dimmed">
                  {label}
                </Text>
                <Text fw={700} size="xl">
                  {(stats.data as Stats)[key].toLocaleString()}
                </Text>
              </Paper>
            ))}
          </SimpleGrid>
        )}
      </section>
      <AttributesTable />
      {canChange && <VerificationCard />}
      {canChange && <ApiKeysCard />}
    </Stack>
  );
}
