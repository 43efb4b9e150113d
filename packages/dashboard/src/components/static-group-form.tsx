import { Button, FileInput, Select, Stack, Tabs, Textarea, TextInput } from '@mantine/core';
import { useState } from 'react';
import { api } from '../api';
import { useAction } from '../use-action';
import { useApi } from '../use-api';
import type { GroupOverview } from './group-types';
import { ErrorNote } from './states';

/** Splits pasted ids: one a line, or separated by commas, semicolons or tabs. */
export const parseUserIds = (text: string) =>
  text
    .split(/[\n,;\t]+/)
    .map((id) => id.trim())
    .filter(Boolean);

/** A new static group from pasted user ids, a CSV file (first column) or the users of an import. */
export function StaticGroupForm({ onSaved }: { onSaved(group: GroupOverview): void }) {
  const [name, setName] = useState('');
  const [source, setSource] = useState<string | null>('paste');
  const [pasted, setPasted] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [importId, setImportId] = useState<string | null>(null);
  const imports = useApi<{ imports: { id: string; file_name: string | null; status: string }[] }>(
    source === 'import' ? '/api/imports?limit=50' : null,
  );
  const ready =
    name.trim() !== '' &&
    ((source === 'paste' && parseUserIds(pasted).length > 0) ||
      (source === 'csv' && file !== null) ||
      (source === 'import' && importId !== null));
  const {
    run: save,
    error,
    busy: saving,
  } = useAction(async () => {
    const saved =
      source === 'csv' && file
        ? await api<GroupOverview>('POST', `/api/groups?name=${encodeURIComponent(name)}`, file, {
            contentType: 'text/csv',
          })
        : await api<GroupOverview>(
            'POST',
            '/api/groups',
            source === 'import' ? { name, import_id: importId } : { name, user_ids: parseUserIds(pasted) },
          );
    onSaved(saved);
  });
  return (
    <Stack>
      <TextInput
        label="Group name"
        required
        value={name}
        onChange={(e) => setName(e.currentTarget.value)}
        maw={400}
      />
      <Tabs value={source} onChange={setSource}>
        <Tabs.List>
          <Tabs.Tab value="paste">Paste user ids</Tabs.Tab>
          <Tabs.Tab value="csv">CSV file</Tabs.Tab>
          <Tabs.Tab value="import">Users of an import</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="paste" pt="sm">
          <Textarea
            label="User ids"
            description="One a line, or separated by commas. Ids not seen yet are kept pending and join when that user appears."
            autosize
            minRows={4}
            maxRows={12}
            value={pasted}
            onChange={(e) => setPasted(e.currentTarget.value)}
          />
        </Tabs.Panel>
        <Tabs.Panel value="csv" pt="sm">
          <FileInput
            label="CSV file"
            description="The first column holds the user ids; a header row is allowed."
            accept=".csv,text/csv"
            value={file}
            onChange={setFile}
            clearable
            maw={400}
          />
        </Tabs.Panel>
        <Tabs.Panel value="import" pt="sm">
          <Select
            label="Import"
            placeholder={imports.data?.imports.length === 0 ? 'no imports yet' : 'choose an import'}
            data={(imports.data?.imports ?? []).map((i) => ({
              value: i.id,
              label: `${i.file_name ?? i.id} (${i.status})`,
            }))}
            value={importId}
            onChange={setImportId}
            maw={400}
          />
        </Tabs.Panel>
      </Tabs>
      <ErrorNote error={error} />
      <Button onClick={() => void save()} loading={saving} disabled={!ready} w="fit-content">
        Create static group
      </Button>
    </Stack>
  );
}
