import { Button, Group, Paper, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { api } from '../../api';
import { useAction } from '../../use-action';
import { type DayRange, rangeDates } from '../date-range';
import { Empty, ErrorNote } from '../states';

interface CrossDevice {
  identified_visitors: number;
  with_2_or_more_devices: number;
  share: number;
  paths: { path: string[]; visitors: number }[];
  first_touch: { source: string; conversions: number }[];
  last_touch: { source: string; conversions: number }[];
}

/** Identified visitors on several devices, their device paths, and first / last touch before an event. */
export function CrossDeviceReport({ range }: { range: DayRange }) {
  const [event, setEvent] = useState('');
  const [report, setReport] = useState<CrossDevice | null>(null);
  const {
    run,
    error,
    busy: loading,
  } = useAction(async () => {
    setReport(
      await api<CrossDevice>('POST', '/api/reports/cross-device', {
        ...rangeDates(range),
        ...(event.trim() ? { event: event.trim() } : {}),
      }),
    );
  });
  return (
    <section aria-labelledby="cross-device-title">
      <Title order={2} size="h3" id="cross-device-title" mb="xs">
        Cross-device
      </Title>
      <Stack gap="sm">
        <Group align="flex-end">
          <TextInput
            label="Before the event (optional)"
            placeholder="purchase"
            w={220}
            value={event}
            onChange={(e) => setEvent(e.currentTarget.value)}
          />
          <Button variant="default" loading={loading} onClick={() => void run()}>
            Show cross-device report
          </Button>
        </Group>
        <ErrorNote error={error} />
        {report && report.identified_visitors === 0 && (
          <Empty title="No identified visitors in this range">
            Visitors count here once the site calls identify (see Install).
          </Empty>
        )}
        {report && report.identified_visitors > 0 && (
          <>
            <SimpleGrid cols={{ base: 1, sm: 3 }} data-testid="cross-device-numbers">
              <Figure label="Identified visitors" value={report.identified_visitors.toLocaleString()} />
              <Figure label="On 2 or more devices" value={report.with_2_or_more_devices.toLocaleString()} />
              <Figure label="Share" value={`${(report.share * 100).toFixed(1)}%`} />
            </SimpleGrid>
            <SimpleGrid cols={{ base: 1, md: 3 }}>
              <Rows
                label="Device paths"
                head={['Path', 'Visitors']}
                rows={report.paths.map((p) => [p.path.join(' → '), p.visitors])}
              />
              <Rows
                label="First touch"
                head={['Source', 'Conversions']}
                rows={report.first_touch.map((t) => [t.source, t.conversions])}
              />
              <Rows
                label="Last touch"
                head={['Source', 'Conversions']}
                rows={report.last_touch.map((t) => [t.source, t.conversions])}
              />
            </SimpleGrid>
          </>
        )}
      </Stack>
    </section>
  );
}

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <Paper withBorder p="sm">
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="xl" fw={700}>
        {value}
      </Text>
    </Paper>
  );
}

function Rows({ label, head, rows }: { label: string; head: string[]; rows: (string | number)[][] }) {
  return (
    <Table aria-label={label} striped>
      <Table.Caption>{label}</Table.Caption>
      <Table.Thead>
        <Table.Tr>
          {head.map((h) => (
            <Table.Th key={h}>{h}</Table.Th>
          ))}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map((r) => (
          <Table.Tr key={String(r[0])}>
            {r.map((cell, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: cells are columns
              <Table.Td key={i}>{cell}</Table.Td>
            ))}
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
