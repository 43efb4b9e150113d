import { BarChart, LineChart } from '@mantine/charts';
import { Box, Table, Text } from '@mantine/core';

export interface BreakdownRow {
  key: string | number | boolean | null;
  name?: string;
  visitors: number;
  value: number;
  series?: { start: string; visitors: number; value: number }[];
}

export interface Breakdown {
  rows: BreakdownRow[];
  other: { visitors: number; value: number } | null;
}

const SERIES_COLORS = ['indigo.8', 'teal.8', 'orange.8', 'grape.8', 'red.8'];
/** A row's label, as text: the group's name, the value, or "(none)" for persons lacking it. */
export const rowLabel = (row: BreakdownRow) => row.name ?? (row.key === null ? '(none)' : String(row.key));

/** The breakdown as a bar chart by row, a line chart over time (top 5 rows) and a table. */
export function BreakdownResult({ report, metric }: { report: Breakdown; metric: string }) {
  const rate = metric === 'conversion_rate';
  const shown = (v: number) =>
    rate ? `${(v * 100).toFixed(1)}%` : Number.isInteger(v) ? v.toLocaleString() : v.toFixed(2);
  const chartValue = (v: number) => (rate ? +(v * 100).toFixed(2) : v);
  const unit = rate ? 'Conversion rate (%)' : 'Value';
  const top = report.rows.slice(0, 5);
  const starts = [...new Set(top.flatMap((r) => (r.series ?? []).map((p) => p.start)))].sort();
  const overTime = starts.map((start) => ({
    start,
    ...Object.fromEntries(
      top.map((r) => [rowLabel(r), chartValue(r.series?.find((p) => p.start === start)?.value ?? 0)]),
    ),
  }));
  return (
    <>
      <Box role="figure" aria-label={`${unit} by row`} data-testid="breakdown-chart">
        <BarChart
          h={240}
          data={report.rows.map((r) => ({ row: rowLabel(r), [unit]: chartValue(r.value) }))}
          dataKey="row"
          series={[{ name: unit, color: 'indigo.8' }]}
        />
      </Box>
      {starts.length > 1 && (
        <Box role="figure" aria-label={`${unit} over time`} data-testid="breakdown-series">
          <LineChart
            h={220}
            data={overTime}
            dataKey="start"
            withLegend
            series={top.map((r, i) => ({ name: rowLabel(r), color: SERIES_COLORS[i] }))}
          />
        </Box>
      )}
      <Table.ScrollContainer minWidth={400}>
        <Table striped aria-label="Breakdown">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Row</Table.Th>
              <Table.Th ta="right">Visitors</Table.Th>
              <Table.Th ta="right">{rate ? 'Conversion rate' : 'Value'}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {report.rows.map((r) => (
              <Table.Tr key={rowLabel(r)}>
                <Table.Td>{rowLabel(r)}</Table.Td>
                <Table.Td ta="right">{r.visitors.toLocaleString()}</Table.Td>
                <Table.Td ta="right">{shown(r.value)}</Table.Td>
              </Table.Tr>
            ))}
            {report.other && (
              <Table.Tr>
                <Table.Td>
                  <Text size="sm" fs="italic">
                    All other values
                  </Text>
                </Table.Td>
                <Table.Td ta="right">{report.other.visitors.toLocaleString()}</Table.Td>
                <Table.Td ta="right">{shown(report.other.value)}</Table.Td>
              </Table.Tr>
            )}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </>
  );
}
