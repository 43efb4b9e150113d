import { Alert, Center, Loader, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { ApiError } from '../api';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <Center py="xl" role="status" aria-live="polite">
      <Stack align="center" gap="xs">
        <Loader size="sm" aria-hidden />
        <Text size="sm" c="dimmed">
          {label}
        </Text>
      </Stack>
    </Center>
  );
}

export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  const pointer = error instanceof ApiError && error.pointer ? ` (at ${error.pointer})` : '';
  return (
    <Alert color="red" role="alert">
      <Text fw={700} size="sm">
        {titleOf(error)}
      </Text>
      {message}
      {pointer}
    </Alert>
  );
}

export function Empty({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Alert color="gray" variant="light" title={title}>
      {children}
    </Alert>
  );
}

/** The headline of a refusal: what kind of problem it is, before the server's own message. */
function titleOf(error: unknown): string {
  if (!(error instanceof ApiError)) return 'Something went wrong';
  if (error.status === 403) return 'Not allowed';
  if (error.status === 401) return 'Not signed in';
  if (error.status === 429) return 'Too many tries: wait a moment and try again';
  if (error.status === 400 || error.status === 413) return 'Please check what you entered';
  return 'Something went wrong';
}
