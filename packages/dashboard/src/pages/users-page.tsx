import {
  Anchor,
  Badge,
  Button,
  Group,
  MultiSelect,
  SegmentedControl,
  Select,
  Stack,
  Table,
  TextInput,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { asText } from '../components/attributes-table';
import type { Condition } from '../components/condition-builder/condition-model';
import { ConditionFilter } from '../components/condition-filter';
import { Empty, ErrorNote, Loading } from '../components/states';
import { linkTo } from '../router';
import { useApi } from '../use-api';

interface PersonRow {
  person_id: number;
  user_id: string | null;
  identified: boolean;
  bound: boolean;
  imported: boolean;
  first_seen: string;
  last_seen: string;
  attributes?: Record<string, unknown>;
}

const PAGE = 50;

/**
 * The user list: sorted and paged by cursor on the server (`GET /api/persons`), or searched
 * (`GET /api/users?q=`), with attribute columns of the owner's choice.
 */
export function UsersPage() {
  const [q, setQ] = useState('');
  const [search] = useDebouncedValue(q.trim(), 300);
  const [sort, setSort] = useState('last_seen:desc');
  const [who, setWho] = useState('all');
  const [columns, setColumns] = useState<string[]>([]);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [offset, setOffset] = useState(0);
  const [filter, setFilter] = useState<Condition | null>(null);
  const attributes = useApi<{ attributes: { name: string; type_source: string }[] }>('/api/attributes');
  const identified = who === 'all' ? '' : `&identified=${who === 'identified'}`;
  const [sortBy, order] = sort.split(':');
  const cursor = cursors[cursors.length - 1];
  const path = search
    ? `/api/users?q=${encodeURIComponent(search)}&limit=${PAGE}&offset=${offset}${identified}`
    : `/api/persons?sort=${sortBy}&order=${order}&limit=${PAGE}${identified}&attributes=${encodeURIComponent(columns.join(','))}${filter ? `&condition=${encodeURIComponent(JSON.stringify(filter))}` : ''}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
  const page = useApi<{
    persons?: PersonRow[];
    users?: PersonRow[];
    next_cursor?: string | null;
    total?: number;
  }>(path);
  const rows = page.data?.persons ?? page.data?.users ?? [];
  const restart = () => {
    setCursors([null]);
    setOffset(0);
  };
  const hasNext = search ? (page.data?.total ?? 0) > offset + PAGE : Boolean(page.data?.next_cursor);
  const hasPrevious = search ? offset > 0 : cursors.length > 1;
  return (
    <Stack>
      <Title order={1}>Users</Title>
      <Group align="flex-end" wrap="wrap">
        <TextInput
          label="Search"
          placeholder="user id or attribute value"
          value={q}
          onChange={(e) => {
            setQ(e.currentTarget.value);
            restart();
          }}
        />
        <Select
          label="Sort"
          allowDeselect={false}
          disabled={Boolean(search)}
          data={[
            { value: 'last_seen:desc', label: 'Last seen, newest first' },
            { value: 'last_seen:asc', label: 'Last seen, oldest first' },
            { value: 'first_seen:desc', label: 'First seen, newest first' },
            { value: 'first_seen:asc', label: 'First seen, oldest first' },
          ]}
          value={sort}
          onChange={(v) => {
            if (v) setSort(v);
            restart();
          }}
        />
        <SegmentedControl
          aria-label="Which users"
          data={[
            { value: 'all', label: 'All' },
            { value: 'identified', label: 'Identified' },
            { value: 'anonymous', label: 'Anonymous' },
          ]}
          value={who}
          onChange={(v) => {
            setWho(v);
            restart();
          }}
        />
        <MultiSelect
          label="Attribute columns"
          placeholder="add columns"
          disabled={Boolean(search)}
          data={(attributes.data?.attributes ?? [])
            .filter((a) => a.type_source !== 'system')
            .map((a) => a.name)}
          value={columns}
          onChange={setColumns}
          searchable
          maw={360}
        />
      </Group>
      <ConditionFilter
        disabled={Boolean(search)}
        onApply={(condition) => {
          setFilter(condition);
          restart();
        }}
      />
      <ErrorNote error={page.error} />
      {page.loading && !page.data && <Loading />}
      {page.data && rows.length === 0 && (
        <Empty title={search || filter ? 'No user matches' : 'No users yet'}>
          {search || filter
            ? 'Try another user id, value or filter.'
            : 'Users appear when visitors open pages with the snippet (see Install) or when you import a CSV file.'}
        </Empty>
      )}
      {rows.length > 0 && (
        <Table.ScrollContainer minWidth={700}>
          <Table striped highlightOnHover aria-label="Users">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>User id</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>First seen</Table.Th>
                <Table.Th>Last seen</Table.Th>
                {!search && columns.map((c) => <Table.Th key={c}>{c}</Table.Th>)}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((p) => (
                <Table.Tr key={p.person_id}>
                  <Table.Td>
                    <Anchor {...linkTo(`/users/${p.person_id}`)}>
                      {p.user_id ?? `anonymous #${p.person_id}`}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      {p.identified ? (
                        <Badge size="xs">identified</Badge>
                      ) : (
                        <Badge size="xs" color="gray">
                          anonymous
                        </Badge>
                      )}
                      {p.bound && (
                        <Badge size="xs" color="teal.9">
                          bound
                        </Badge>
                      )}
                      {p.imported && (
                        <Badge size="xs" color="grape.9">
                          imported
                        </Badge>
                      )}
                    </Group>
                  </Table.Td>
                  <Table.Td>{new Date(p.first_seen).toLocaleString()}</Table.Td>
                  <Table.Td>{new Date(p.last_seen).toLocaleString()}</Table.Td>
                  {!search &&
                    columns.map((c) => (
                      <Table.Td key={c}>
                        {p.attributes?.[c] === undefined ? '' : asText(p.attributes[c])}
                      </Table.Td>
                    ))}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <Group>
        <Button
          variant="default"
          disabled={!hasPrevious}
          onClick={() => (search ? setOffset(Math.max(0, offset - PAGE)) : setCursors(cursors.slice(0, -1)))}
        >
          Previous page
        </Button>
        <Button
          variant="default"
          disabled={!hasNext}
          onClick={() =>
            search ? setOffset(offset + PAGE) : setCursors([...cursors, page.data?.next_cursor ?? null])
          }
        >
          Next page
        </Button>
      </Group>
    </Stack>
  );
}
