import { Anchor, Badge, Button, Group, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { api } from '../../api';
import { navigate } from '../../router';
import { ConfirmDelete } from '../confirm-delete';
import { ErrorNote } from '../states';
import type { Experience } from './experience-types';

const STATUS_COLORS = { draft: 'gray.8', published: 'teal.9', paused: 'dark' } as const;

export function StatusBadge({ status }: { status: Experience['status'] }) {
  return (
    <Badge color={STATUS_COLORS[status]} variant={status === 'paused' ? 'outline' : 'filled'}>
      {status}
    </Badge>
  );
}

/** Publish or pause, a preview link for the live site, and delete with confirmation. */
export function ExperienceActions({
  experience,
  onChange,
}: {
  experience: Experience;
  onChange(e: Experience): void;
}) {
  const [error, setError] = useState<unknown>(null);
  const base = `/api/experiences/${encodeURIComponent(experience.id)}`;
  const act = async (action: 'publish' | 'pause') => {
    setError(null);
    try {
      onChange(await api<Experience>('POST', `${base}/${action}`));
    } catch (e) {
      setError(e);
    }
  };
  return (
    <Stack gap="xs">
      <Group>
        {experience.status === 'published' ? (
          <Button variant="default" onClick={() => void act('pause')}>
            Pause
          </Button>
        ) : (
          <Button color="teal.9" onClick={() => void act('publish')}>
            Publish
          </Button>
        )}
        <DeleteExperience experience={experience} />
      </Group>
      <ErrorNote error={error} />
      <PreviewLink experience={experience} />
    </Stack>
  );
}

function PreviewLink({ experience }: { experience: Experience }) {
  const [url, setUrl] = useState('');
  const [link, setLink] = useState<{ url: string; expires_at: string } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const make = async () => {
    setError(null);
    try {
      setLink(
        await api('POST', `/api/experiences/${encodeURIComponent(experience.id)}/preview-link`, { url }),
      );
    } catch (e) {
      setError(e);
    }
  };
  return (
    <Stack gap={4}>
      <Group align="flex-end" gap="xs">
        <TextInput
          label="Preview on a page of your site"
          description="Shows this experience, even a draft, only to the browser that opens the link."
          placeholder="https://www.example.com/"
          w={380}
          value={url}
          onChange={(e) => setUrl(e.currentTarget.value)}
        />
        <Button variant="default" disabled={!url} onClick={() => void make()}>
          Make preview link
        </Button>
      </Group>
      <ErrorNote error={error} />
      {link && (
        <Text size="sm">
          <Anchor href={link.url} target="_blank" rel="noopener noreferrer" data-testid="preview-link">
            {link.url}
          </Anchor>{' '}
          (valid until {new Date(link.expires_at).toLocaleString()})
        </Text>
      )}
    </Stack>
  );
}

function DeleteExperience({ experience }: { experience: Experience }) {
  return (
    <ConfirmDelete
      label="Delete"
      title={`Delete the experience ${experience.name}?`}
      consequence="Visitors stop seeing it and its report goes with it."
      buttonProps={{ variant: 'default' }}
      onConfirm={async () => {
        await api('DELETE', `/api/experiences/${encodeURIComponent(experience.id)}`);
        navigate('/experiences');
      }}
    />
  );
}
