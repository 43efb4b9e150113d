import { Group, Stack, Title } from '@mantine/core';
import { useState } from 'react';
import { ExperienceActions, StatusBadge } from '../components/experience/experience-actions';
import { ExperienceForm } from '../components/experience/experience-form';
import { ExperienceReport } from '../components/experience/experience-report';
import { draftOf, type Experience, newDraft } from '../components/experience/experience-types';
import { ErrorNote, Loading } from '../components/states';
import { navigate } from '../router';
import { useCanChange } from '../session';
import { useApi } from '../use-api';

/** A new experience: the editor; saving makes a draft and opens it. */
export function NewExperiencePage() {
  return (
    <Stack>
      <Title order={1}>New experience</Title>
      <ExperienceForm
        initial={newDraft()}
        onSaved={(e) => navigate(`/experiences/${encodeURIComponent(e.id)}`)}
      />
    </Stack>
  );
}

/** One experience: status and actions, the editor, and the report. */
export function ExperiencePage({ experienceId }: { experienceId: string }) {
  const canChange = useCanChange();
  const experience = useApi<Experience>(`/api/experiences/${encodeURIComponent(experienceId)}`);
  const [version, setVersion] = useState(0);
  if (experience.error) return <ErrorNote error={experience.error} />;
  if (!experience.data) return <Loading />;
  const e = experience.data;
  const update = (next: Experience) => {
    experience.setData(next);
    setVersion((v) => v + 1);
  };
  return (
    <Stack>
      <Group gap="xs">
        <Title order={1}>{e.name}</Title>
        <StatusBadge status={e.status} />
      </Group>
      {canChange && <ExperienceActions experience={e} onChange={update} />}
      <ExperienceReport experienceId={e.id} />
      <ExperienceForm key={version} id={e.id} initial={draftOf(e)} onSaved={update} readOnly={!canChange} />
    </Stack>
  );
}
