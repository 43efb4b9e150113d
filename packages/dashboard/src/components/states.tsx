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
        Something went wrong
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
