import { BarChart } from '@mantine/charts';
import { Box, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useApi } from '../../use-api';
import { DateRangeFields, type DayRange, lastDays, rangeTimes } from '../date-range';
import { Empty, ErrorNote, Loading } from '../states';

interface VariantReport {
  name: string;
  users: number;
  impressions: number;
  clicks: number;
  dismissals: number;
  conversions: number;
  conversion_rate: number;
  lift?: number;
  lift_ci95?: [number, number];
}

const percent = (x: number) => `${(x * 100).toFixed(1)}%`;
const signed = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;

/** Per variant and the control: users, impressions, clicks, conversions, and the lift with its 95% interval. */
export function ExperienceReport({ experienceId }: { experienceId: string }) {
  const [range, setRange] = useState<DayRange>(lastDays(30));
  const { from, to } = rangeTimes(range);
  const report = useApi<{ variants: VariantReport[] }>(
    `/api/experiences/${encodeURIComponent(experienceId)}/report?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
  );
  const variants = report.data?.variants ?? [];
  const seen = variants.some((v) => v.users > 0);
  return (
    <section aria-labelledby="report-title">
      <Title order={2} size="h3" id="report-title" mb="xs">
        Report
      </Title>
      <Stack gap="sm">
        <DateRangeFields value={range} onChange={setRange} />
        <ErrorNote error={report.error} />
        {report.loading && !report.data && <Loading />}
        {report.data && !seen && (
          <Empty title="No impressions in this range">
            Publish the experience; its impressions, clicks and conversions appear here as visitors see it.
          </Empty>
        )}
        {seen && (
          <>
            <Box role="figure" aria-label="Conversion rate by variant" data-testid="experience-chart">
              <BarChart
                h={220}
                data={variants.map((v) => ({
                  variant: v.name,
                  'Conversion rate (%)': +(v.conversion_rate * 100).toFixed(2),
                }))}
                dataKey="variant"
                series={[{ name: 'Conversion rate (%)', color: 'indigo.8' }]}
              />
            </Box>
            <Table.ScrollContainer minWidth={700}>
              <Table striped aria-label="Results by variant">
                <Table.Thead>
                  <Table.Tr>
                    {[
                      'Variant',
                      'Users',
                      'Impressions',
                      'Clicks',
                      'Dismissals',
                      'Conversions',
                      'Rate',
                      'Lift',
                      'Lift 95% interval',
                    ].map((h) => (
                      <Table.Th key={h}>{h}</Table.Th>
                    ))}
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {variants.map((v) => (
                    <Table.Tr key={v.name}>
                      <Table.Td>{v.name}</Table.Td>
                      <Table.Td>{v.users}</Table.Td>
                      <Table.Td>{v.impressions}</Table.Td>
                      <Table.Td>{v.clicks}</Table.Td>
                      <Table.Td>{v.dismissals}</Table.Td>
                      <Table.Td>{v.conversions}</Table.Td>
                      <Table.Td>{percent(v.conversion_rate)}</Table.Td>
                      <Table.Td>{v.lift === undefined ? '—' : signed(v.lift)}</Table.Td>
                      <Table.Td>
                        {v.lift_ci95 ? `${signed(v.lift_ci95[0])} to ${signed(v.lift_ci95[1])}` : '—'}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <Text size="sm" c="dimmed">
              A conversion is the goal reached after the user's first impression of that variant. The lift is
              relative to the control; an interval that spans 0% is not a clear win.
            </Text>
          </>
        )}
      </Stack>
    </section>
  );
}
