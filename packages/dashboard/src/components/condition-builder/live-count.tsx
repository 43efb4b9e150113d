import { Badge, Group, Loader, Text } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useEffect, useState } from 'react';
import { ApiError, api } from '../../api';
import type { Condition } from './condition-model';

interface Preview {
  users: number;
  warnings?: { message: string }[];
}

/** The live count of a condition while it is edited (`POST /api/groups/preview`, a read). */
export function LiveCount({ condition }: { condition: Condition }) {
  const [debounced] = useDebouncedValue(condition, 400);
  const [state, setState] = useState<{ preview?: Preview; error?: ApiError | Error; loading: boolean }>({
    loading: true,
  });
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    api<Preview>('POST', '/api/groups/preview', { condition: debounced })
      .then((preview) => live && setState({ preview, loading: false }))
      .catch((error) => live && setState({ error, loading: false }));
    return () => {
      live = false;
    };
  }, [debounced]);
  return (
    <Group gap="xs" aria-live="polite" data-testid="live-count">
      {state.loading && <Loader size="xs" aria-label="Counting" />}
      {state.preview && !state.error && (
        <Badge size="lg" variant="light">
          {state.preview.users.toLocaleString()} users match now
        </Badge>
      )}
      {state.error && (
        <Text size="sm" c="red.9" role="alert">
          {state.error.message}
          {state.error instanceof ApiError && state.error.pointer ? ` (at ${state.error.pointer})` : ''}
        </Text>
      )}
      {state.preview?.warnings?.map((w) => (
        <Text key={w.message} size="sm" c="orange.9">
          {w.message}
        </Text>
      ))}
    </Group>
  );
}
