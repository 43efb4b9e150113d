import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  Paper,
  Progress,
  Stack,
  Switch,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { type DragEvent, useRef, useState } from 'react';
import { api, download } from '../api';
import { previewCsv } from '../components/csv-preview';
import { CursorPager, useCursorList } from '../components/cursor-pager';
import { Empty, ErrorNote, Loading } from '../components/states';
import { useCanChange } from '../session';

interface ImportJob {
  id: string;
  file_name: string | null;
  dry_run: boolean;
  status: string;
  progress: { rows: number; percent: number | null };
  counts: {
    received: number;
    valid: number;
    created: number;
    updated: number;
    unchanged: number;
    failed: number;
  };
  error: { code: string; message: string } | null;
  errors: { row: number; user_id: string | null; field: string | null; code: string; message: string }[];
  errors_total: number;
  created_at: string;
}

/** Imports: drag-and-drop a CSV, preview it, dry-run or import it with progress, then the result and history. */
export function ImportsPage() {
  const canChange = useCanChange();
  const { pages, page: history } = useCursorList<{ imports: ImportJob[]; next_cursor: string | null }>(
    '/api/imports',
  );
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<ReturnType<typeof previewCsv> | null>(null);
  const [dryRun, setDryRun] = useState(false);
  const [job, setJob] = useState<ImportJob | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [running, setRunning] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  const choose = async (chosen: File | undefined) => {
    if (!chosen) return;
    setFile(chosen);
    setJob(null);
    setError(null);
    setPreview(previewCsv(await chosen.slice(0, 64 * 1024).text()));
  };
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    void choose(event.dataTransfer.files[0]);
  };
  const start = async () => {
    if (!file) return;
    setRunning(true);
    setError(null);
    try {
      const pending = await api<ImportJob>('POST', '/api/imports', {
        file_name: file.name,
        size_bytes: file.size,
        dry_run: dryRun,
      });
      setJob(pending);
      const timer = setInterval(() => {
        api<ImportJob>('GET', `/api/imports/${pending.id}`).then(setJob, () => undefined);
      }, 1000);
      try {
        setJob(
          await api<ImportJob>('PUT', `/api/imports/${pending.id}/file`, file, { contentType: 'text/csv' }),
        );
      } finally {
        clearInterval(timer);
      }
    } catch (e) {
      setError(e);
      const failed = (e as { job?: ImportJob }).job;
      if (failed) setJob(failed);
    } finally {
      setRunning(false);
      if (pages.hasPrevious) pages.restart();
      else history.reload();
    }
  };

  return (
    <Stack>
      <Title order={1}>Imports</Title>
      {canChange ? (
        <Card withBorder>
          <Stack>
            <Paper
              withBorder
              p="xl"
              style={{ borderStyle: 'dashed', textAlign: 'center' }}
              onDragOver={(e) => e.preventDefault()}
              onDrop={onDrop}
              data-testid="csv-drop"
            >
              <Text>Drop a CSV file here: first column the user id, header row the attribute names.</Text>
              <Button mt="sm" variant="light" onClick={() => input.current?.click()}>
                Choose a file
              </Button>
              <input
                ref={input}
                type="file"
                accept=".csv,.tsv,.txt,text/csv"
                aria-label="CSV file"
                hidden
                onChange={(e) => void choose(e.currentTarget.files?.[0])}
              />
            </Paper>
            {file && preview && (
              <Stack>
                <Text fw={600}>
                  {file.name} ({(file.size / 1024).toFixed(1)} KB): first rows
                </Text>
                <Table.ScrollContainer minWidth={500}>
                  <Table aria-label="Preview of the file" withTableBorder>
                    <Table.Thead>
                      <Table.Tr>
                        {preview.header.map((h, i) => (
                          // biome-ignore lint/suspicious/noArrayIndexKey: columns of a fixed preview
                          <Table.Th key={`${i}-${h}`}>
                            {h}{' '}
                            <Badge size="xs" variant="light">
                              {i === 0 ? 'user id' : preview.types[i]}
                            </Badge>
                          </Table.Th>
                        ))}
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {preview.rows.map((row, r) => (
                        // biome-ignore lint/suspicious/noArrayIndexKey: rows of a fixed preview
                        <Table.Tr key={r}>
                          {row.map((cell, c) => (
                            // biome-ignore lint/suspicious/noArrayIndexKey: cells of a fixed preview
                            <Table.Td key={c}>{cell}</Table.Td>
                          ))}
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </Table.ScrollContainer>
                <Group>
                  <Switch
                    label="Dry run (only check the file, write nothing)"
                    checked={dryRun}
                    onChange={(e) => setDryRun(e.currentTarget.checked)}
                  />
                  <Button onClick={() => void start()} loading={running}>
                    {dryRun ? 'Check file' : 'Import'}
                  </Button>
                </Group>
              </Stack>
            )}
            <ErrorNote error={error} />
            {job && <JobResult job={job} />}
          </Stack>
        </Card>
      ) : (
        <Alert color="gray">Your role (viewer) can see the import history but not import.</Alert>
      )}
      <Title order={2} size="h3">
        History
      </Title>
      <ErrorNote error={history.error} />
      {history.loading && !history.data && <Loading />}
      {history.data?.imports.length === 0 && (
        <Empty title="No imports yet">Drop a CSV file above to import your users.</Empty>
      )}
      {history.data && history.data.imports.length > 0 && (
        <Table.ScrollContainer minWidth={600}>
          <Table aria-label="Import history" striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Started</Table.Th>
                <Table.Th>File</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Rows</Table.Th>
                <Table.Th>Failed</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {history.data.imports.map((j) => (
                <Table.Tr key={j.id}>
                  <Table.Td>{new Date(j.created_at).toLocaleString()}</Table.Td>
                  <Table.Td>{j.file_name ?? '(API upload)'}</Table.Td>
                  <Table.Td>
                    {j.status}
                    {j.dry_run ? ' (dry run)' : ''}
                  </Table.Td>
                  <Table.Td>{j.counts.received}</Table.Td>
                  <Table.Td>{j.counts.failed}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <CursorPager pages={pages} nextCursor={history.data?.next_cursor} />
    </Stack>
  );
}

function JobResult({ job }: { job: ImportJob }) {
  const done = job.status !== 'pending' && job.status !== 'running';
  return (
    <Stack data-testid="import-result">
      <Progress
        value={done ? 100 : (job.progress.percent ?? 0)}
        aria-label="Import progress"
        animated={!done}
      />
      <Text>
        {job.dry_run ? 'Dry run' : 'Import'} {job.status}: {job.progress.rows} rows read, {job.counts.created}{' '}
        created, {job.counts.updated} updated, {job.counts.unchanged} unchanged, {job.counts.failed} failed.
      </Text>
      {job.error && (
        <Alert color="red" role="alert" title="The file was not imported">
          {job.error.message}
        </Alert>
      )}
      {job.errors.length > 0 && (
        <Table aria-label="Rows with errors">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Row</Table.Th>
              <Table.Th>User id</Table.Th>
              <Table.Th>Problem</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {job.errors.map((e) => (
              <Table.Tr key={`${e.row}-${e.code}-${e.field}`}>
                <Table.Td>{e.row}</Table.Td>
                <Table.Td>{e.user_id}</Table.Td>
                <Table.Td>{e.message}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {job.errors_total > 0 && (
        <Button
          variant="light"
          onClick={() => void download(`/api/imports/${job.id}/errors.csv`, `import-${job.id}-errors.csv`)}
        >
          Download all {job.errors_total} errors (CSV)
        </Button>
      )}
    </Stack>
  );
}
