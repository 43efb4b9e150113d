import { Button, Stack, Title } from '@mantine/core';
import { useState } from 'react';
import { api } from '../api';
import { DateRangeFields, type DayRange, lastDays, rangeDates } from '../components/date-range';
import {
  type BreakdownChoice,
  BreakdownForm,
  breakdownBody,
  needsEvent,
} from '../components/reports/breakdown-form';
import { type Breakdown, BreakdownResult } from '../components/reports/breakdown-result';
import { CrossDeviceReport } from '../components/reports/cross-device-report';
import { Empty, ErrorNote } from '../components/states';
import { useAction } from '../use-action';

/** Behaviour reports: a metric broken down by an attribute, device type or groups, and cross-device. */
export function ReportsPage() {
  const [range, setRange] = useState<DayRange>(lastDays(30));
  const [choice, setChoice] = useState<BreakdownChoice>({
    metric: 'conversion_rate',
    event: 'purchase',
    by: 'attr',
    attr: null,
    groups: [],
    interval: 'day',
  });
  const [result, setResult] = useState<{ report: Breakdown; metric: string } | null>(null);
  const ready =
    (!needsEvent(choice.metric) || choice.event.trim() !== '') &&
    (choice.by !== 'attr' || Boolean(choice.attr)) &&
    (choice.by !== 'groups' || choice.groups.length > 0);
  const {
    run,
    error,
    busy: loading,
  } = useAction(async () => {
    const report = await api<Breakdown>('POST', '/api/reports/breakdown', {
      ...breakdownBody(choice),
      ...rangeDates(range),
    });
    setResult({ report, metric: choice.metric });
  });
  return (
    <Stack>
      <Title order={1}>Reports</Title>
      <DateRangeFields value={range} onChange={setRange} />
      <section aria-labelledby="breakdown-title">
        <Title order={2} size="h3" id="breakdown-title" mb="xs">
          Breakdown
        </Title>
        <Stack gap="sm">
          <BreakdownForm value={choice} onChange={setChoice} />
          <Button w="fit-content" disabled={!ready} loading={loading} onClick={() => void run()}>
            Show report
          </Button>
          <ErrorNote error={error} />
          {result && result.report.rows.length === 0 && (
            <Empty title="No visitors in this range">
              Pick a longer range, or check on the Install page that events arrive.
            </Empty>
          )}
          {result && result.report.rows.length > 0 && <BreakdownResult {...result} />}
        </Stack>
      </section>
      <CrossDeviceReport range={range} />
    </Stack>
  );
}
