import { Group, TextInput } from '@mantine/core';

const DAY_MS = 24 * 60 * 60 * 1000;

/** A range of whole days as `from` / `to` dates (YYYY-MM-DD), `to` included. */
export interface DayRange {
  from: string;
  to: string;
}

export const lastDays = (days: number): DayRange => {
  const today = new Date();
  return {
    from: new Date(today.getTime() - (days - 1) * DAY_MS).toISOString().slice(0, 10),
    to: today.toISOString().slice(0, 10),
  };
};

/** The range as the API's `[from, to)` ISO times: from the first day's start to the day after the last. */
export const rangeTimes = (range: DayRange) => ({
  from: new Date(`${range.from}T00:00:00Z`).toISOString(),
  to: new Date(new Date(`${range.to}T00:00:00Z`).getTime() + DAY_MS).toISOString(),
});

export function DateRangeFields({ value, onChange }: { value: DayRange; onChange(range: DayRange): void }) {
  return (
    <Group gap="xs">
      <TextInput
        label="From"
        type="date"
        value={value.from}
        onChange={(e) => e.currentTarget.value && onChange({ ...value, from: e.currentTarget.value })}
      />
      <TextInput
        label="To (included)"
        type="date"
        value={value.to}
        onChange={(e) => e.currentTarget.value && onChange({ ...value, to: e.currentTarget.value })}
      />
    </Group>
  );
}

/** The range as the reports' `[from, to)` dates, read in the project's time zone by the server. */
export const rangeDates = (range: DayRange) => ({
  from: range.from,
  to: new Date(new Date(`${range.to}T00:00:00Z`).getTime() + DAY_MS).toISOString().slice(0, 10),
});
