import { Alert, Badge, Button, Group, Modal, Select, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { api } from '../api';
import { useCanChange } from '../session';
import { useApi } from '../use-api';
import { Empty, ErrorNote, Loading } from './states';

interface Attribute {
  name: string;
  type: string;
  type_source: string;
  sources: string[];
  persons: number | null;
  first_seen: string | null;
  last_seen: string | null;
  samples: unknown[];
}

interface TypeReport {
  values: number;
  misfits: number;
  misfit_samples: { person_id: number; value: unknown }[];
}

const TYPES = ['string', 'number', 'boolean', 'datetime', 'list'];
const day = (iso: string | null) => (iso ? new Date(iso).toLocaleDateString() : '—');
/** A stored value as text (never as markup). */
export const asText = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

/** The attributes table with a type change that shows what it would do before it is confirmed. */
export function AttributesTable() {
  const canChange = useCanChange();
  const { data, error, loading, reload } = useApi<{ attributes: Attribute[] }>('/api/attributes');
  const [editing, setEditing] = useState<Attribute | null>(null);
  const owned = data?.attributes.filter((a) => a.type_source !== 'system') ?? [];
  return (
    <section aria-labelledby="attributes-title">
      <Title order={2} size="h3" id="attributes-title" mb="sm">
        Attributes
      </Title>
      <ErrorNote error={error} />
      {loading && !data && <Loading />}
      {data && owned.length === 0 && (
        <Empty title="No attributes yet">
          Attributes appear when your site calls <code>acquaint.identify(userId, attributes)</code> or when
          you import a CSV file on the Imports page.
        </Empty>
      )}
      {data && data.attributes.length > 0 && (
        <Table.ScrollContainer minWidth={800}>
          <Table striped aria-label="Attributes">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Type</Table.Th>
                <Table.Th>Sources</Table.Th>
                <Table.Th>Users</Table.Th>
                <Table.Th>First seen</Table.Th>
                <Table.Th>Last seen</Table.Th>
                <Table.Th>Sample values</Table.Th>
                {canChange && <Table.Th>Change</Table.Th>}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.attributes.map((a) => (
                <Table.Tr key={a.name}>
                  <Table.Td>{a.name}</Table.Td>
                  <Table.Td>
                    {a.type}{' '}
                    <Badge size="xs" variant="light" color={a.type_source === 'declared' ? 'indigo' : 'gray'}>
                      {a.type_source}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{a.sources.join(', ')}</Table.Td>
                  <Table.Td>{a.persons?.toLocaleString() ?? '—'}</Table.Td>
                  <Table.Td>{day(a.first_seen)}</Table.Td>
                  <Table.Td>{day(a.last_seen)}</Table.Td>
                  <Table.Td style={{ maxWidth: 260, wordBreak: 'break-all' }}>
                    {a.samples.map(asText).join(', ')}
                  </Table.Td>
                  {canChange && (
                    <Table.Td>
                      {a.type_source !== 'system' && (
                        <Button
                          size="xs"
                          variant="light"
                          onClick={() => setEditing(a)}
                          aria-label={`Change type of ${a.name}`}
                        >
                          Change type
                        </Button>
                      )}
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {editing && (
        <TypeChangeModal
          attribute={editing}
          onClose={(changed) => {
            setEditing(null);
            if (changed) reload();
          }}
        />
      )}
    </section>
  );
}

function TypeChangeModal({ attribute, onClose }: { attribute: Attribute; onClose(changed: boolean): void }) {
  const [type, setType] = useState<string | null>(attribute.type);
  const [preview, setPreview] = useState<TypeReport | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const path = `/api/attributes/${encodeURIComponent(attribute.name)}`;
  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      opened
      onClose={() => onClose(false)}
      title={`Type of "${attribute.name}"`}
      closeButtonProps={{ 'aria-label': 'Close' }}
    >
      <Stack>
        <Select
          label="New type"
          data={TYPES}
          value={type}
          allowDeselect={false}
          onChange={(t) => {
            setType(t);
            setPreview(null);
          }}
        />
        <Text size="sm">Stored values are kept; they are read through the new type from now on.</Text>
        {preview && (
          <Alert color={preview.misfits > 0 ? 'red' : 'green'} data-testid="type-preview">
            <Text fw={700} size="sm">
              What this change would do
            </Text>
            {preview.values.toLocaleString()} stored values; {preview.misfits.toLocaleString()} do not read as{' '}
            {type} and would be shown as stored.
            {preview.misfit_samples.length > 0 && (
              <Text size="sm" mt="xs">
                For example: {preview.misfit_samples.map((s) => asText(s.value)).join(', ')}
              </Text>
            )}
          </Alert>
        )}
        <ErrorNote error={error} />
        <Group justify="flex-end">
          <Button variant="default" onClick={() => onClose(false)}>
            Cancel
          </Button>
          {!preview ? (
            <Button
              loading={busy}
              onClick={() =>
                run(async () => setPreview(await api<TypeReport>('POST', `${path}/type-preview`, { type })))
              }
            >
              Preview
            </Button>
          ) : (
            <Button
              color={preview.misfits > 0 ? 'red.9' : undefined}
              loading={busy}
              onClick={() =>
                run(async () => {
                  await api('PUT', path, { type });
                  onClose(true);
                })
              }
            >
              Confirm change to {type}
            </Button>
          )}
        </Group>
      </Stack>
    </Modal>
  );
}
