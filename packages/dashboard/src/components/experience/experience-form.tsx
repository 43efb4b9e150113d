import { Button, Group, Select, Stack, TextInput, Title } from '@mantine/core';
import { type ReactNode, useState } from 'react';
import { api } from '../../api';
import { useAction } from '../../use-action';
import { ErrorNote } from '../states';
import {
  EXPERIENCE_TYPES,
  type Experience,
  type ExperienceDraft,
  type ExperienceType,
  emptyContent,
} from './experience-types';
import { GoalScheduleFields } from './goal-schedule-fields';
import { PageRulesEditor } from './page-rules-editor';
import { TargetEditor } from './target-editor';
import { VariantsEditor } from './variants-editor';

interface ExperienceFormProps {
  id?: string;
  initial: ExperienceDraft;
  onSaved(experience: Experience): void;
  readOnly?: boolean;
}

/** The experience editor: content and variants, pages, target, goal, frequency, priority, schedule. */
export function ExperienceForm({ id, initial, onSaved, readOnly }: ExperienceFormProps) {
  const [draft, setDraft] = useState<ExperienceDraft>(initial);
  const change = (fields: Partial<ExperienceDraft>) => setDraft((d) => ({ ...d, ...fields }));
  const {
    run: save,
    error,
    busy: saving,
  } = useAction(async () => {
    onSaved(
      id
        ? await api<Experience>('PATCH', `/api/experiences/${encodeURIComponent(id)}`, draft)
        : await api<Experience>('POST', '/api/experiences', draft),
    );
  });
  return (
    <fieldset disabled={readOnly} style={{ border: 0, padding: 0, margin: 0, minWidth: 0 }}>
      <Stack>
        <Group align="flex-end">
          <TextInput
            label="Experience name"
            required
            w={320}
            value={draft.name}
            onChange={(e) => change({ name: e.currentTarget.value })}
          />
          <Select
            label="Type"
            w={160}
            allowDeselect={false}
            data={EXPERIENCE_TYPES}
            value={draft.type}
            onChange={(t) => {
              if (!t || t === draft.type) return;
              const type = t as ExperienceType;
              change({ type, variants: draft.variants.map((v) => ({ ...v, content: emptyContent(type) })) });
            }}
          />
        </Group>
        <Section title="Variants">
          <VariantsEditor
            type={draft.type}
            variants={draft.variants}
            controlWeight={draft.control_weight}
            onChange={(variants, control_weight) => change({ variants, control_weight })}
          />
        </Section>
        <Section title="Pages">
          <PageRulesEditor pages={draft.pages} onChange={(pages) => change({ pages })} />
        </Section>
        <Section title="Who sees it">
          <TargetEditor target={draft.target} onChange={(target) => change({ target })} />
        </Section>
        <Section title="Goal, frequency and schedule">
          <GoalScheduleFields value={draft} onChange={change} />
        </Section>
        <ErrorNote error={error} />
        {!readOnly && (
          <Button w="fit-content" loading={saving} disabled={!draft.name.trim()} onClick={() => void save()}>
            {id ? 'Save changes' : 'Create draft'}
          </Button>
        )}
      </Stack>
    </fieldset>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section aria-label={title}>
      <Title order={2} size="h4" mb="xs">
        {title}
      </Title>
      {children}
    </section>
  );
}
