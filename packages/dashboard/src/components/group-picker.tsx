import { MultiSelect, Select } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useEffect, useState } from 'react';
import { api } from '../api';
import { useApi } from '../use-api';

interface GroupName {
  id: string;
  name: string;
}

/** How many groups a picker shows at once; typing searches the rest on the server. */
export const PICKER_PAGE = 20;

/**
 * The options of a group picker: the first page of groups whose name contains the search
 * (`GET /api/groups?limit=&q=`, so it works with any number of groups), and the chosen ones
 * with their names (looked up one by one when a saved choice names a group not on the page).
 */
function useGroupOptions(search: string, chosen: string[], exclude?: string) {
  const [names, setNames] = useState<ReadonlyMap<string, string>>(new Map());
  // A box showing a chosen group's name (a single picker does) is no search.
  const typed = chosen.some((id) => names.get(id) === search) ? '' : search.trim();
  const [debounced] = useDebouncedValue(typed, 250);
  const page = useApi<{ groups: GroupName[]; next_cursor: string | null }>(
    `/api/groups?limit=${PICKER_PAGE}${debounced ? `&q=${encodeURIComponent(debounced)}` : ''}`,
  );
  const remember = (found: GroupName[]) =>
    setNames((known) => new Map([...known, ...found.map((g): [string, string] => [g.id, g.name])]));
  // biome-ignore lint/correctness/useExhaustiveDependencies: remember only sets state
  useEffect(() => {
    if (page.data) remember(page.data.groups);
  }, [page.data]);
  const missing = chosen.filter((id) => id && !names.has(id)).join('\n');
  // biome-ignore lint/correctness/useExhaustiveDependencies: remember only sets state
  useEffect(() => {
    if (!missing) return;
    let live = true;
    for (const id of missing.split('\n')) {
      api<GroupName>('GET', `/api/groups/${encodeURIComponent(id)}`)
        .then((group) => live && remember([{ id, name: group.name }]))
        .catch(() => live && remember([{ id, name: id }]));
    }
    return () => {
      live = false;
    };
  }, [missing]);
  const shown = (page.data?.groups ?? []).filter((g) => g.id !== exclude);
  const data = [
    ...chosen
      .filter((id) => id && !shown.some((g) => g.id === id))
      .map((id) => ({ value: id, label: names.get(id) ?? id })),
    ...shown.map((g) => ({ value: g.id, label: g.name })),
  ];
  const description = page.data?.next_cursor
    ? `Showing the first ${PICKER_PAGE} groups by name: type to search the others.`
    : undefined;
  return { data, description };
}

interface PickerProps {
  label?: string;
  'aria-label'?: string;
  placeholder?: string;
  w?: number;
  maw?: number;
}

/** Chooses several groups, searching them on the server. */
export function GroupsPicker({
  value,
  onChange,
  ...props
}: PickerProps & { value: string[]; onChange(ids: string[]): void }) {
  const [search, setSearch] = useState('');
  const options = useGroupOptions(search, value);
  return (
    <MultiSelect
      {...props}
      searchable
      description={options.description}
      nothingFoundMessage="No group matches"
      data={options.data}
      value={value}
      onChange={onChange}
      searchValue={search}
      onSearchChange={setSearch}
    />
  );
}

/** Chooses one group, searching them on the server; `exclude` leaves one out (the group being edited). */
export function GroupPicker({
  value,
  onChange,
  exclude,
  ...props
}: PickerProps & { value: string; onChange(id: string): void; exclude?: string }) {
  const [search, setSearch] = useState('');
  const options = useGroupOptions(search, value ? [value] : [], exclude);
  return (
    <Select
      {...props}
      searchable
      allowDeselect={false}
      description={options.description}
      nothingFoundMessage="No group matches"
      data={options.data}
      value={value || null}
      onChange={(next) => onChange(next ?? '')}
      searchValue={search}
      onSearchChange={setSearch}
    />
  );
}
