import {
  ActionIcon,
  Button,
  Checkbox,
  Group,
  SegmentedControl,
  Select,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { useState } from 'react';
import { api } from '../../api';
import { ErrorNote } from '../states';
import type { ExperienceDraft, UrlRule } from './experience-types';

export const URL_OPS = [
  { value: 'equals', label: 'equals' },
  { value: 'contains', label: 'contains' },
  { value: 'starts_with', label: 'starts with' },
  { value: 'regex', label: 'matches regex' },
];

/** One URL rule: test, value, and whether the query string is ignored. */
export function UrlRuleFields({ rule, onChange }: { rule: UrlRule; onChange(rule: UrlRule): void }) {
  return (
    <>
      <Select
        aria-label="URL test"
        w={140}
        allowDeselect={false}
        data={URL_OPS}
        value={rule.op}
        onChange={(op) => op && onChange({ ...rule, op: op as UrlRule['op'] })}
      />
      <TextInput
        aria-label="URL value"
        placeholder="/pricing"
        w={220}
        value={rule.value}
        onChange={(e) => onChange({ ...rule, value: e.currentTarget.value })}
      />
      <Checkbox
        label="ignore query"
        checked={rule.ignore_query ?? false}
        onChange={(e) => onChange({ ...rule, ignore_query: e.currentTarget.checked })}
      />
    </>
  );
}

/** Which pages show the experience: all, or any of the rules; with a URL tester. */
export function PageRulesEditor({
  pages,
  onChange,
}: {
  pages: ExperienceDraft['pages'];
  onChange(pages: ExperienceDraft['pages']): void;
}) {
  const rules = 'rules' in pages ? pages.rules : null;
  return (
    <Stack gap="xs">
      <SegmentedControl
        aria-label="Pages"
        w="fit-content"
        data={[
          { value: 'all', label: 'Every page' },
          { value: 'rules', label: 'Pages matching rules' },
        ]}
        value={rules ? 'rules' : 'all'}
        onChange={(v) =>
          onChange(v === 'all' ? { match: 'all' } : { rules: [{ op: 'contains', value: '' }] })
        }
      />
      {rules?.map((rule, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a rule is its position in the list
        <Group key={index} gap="xs">
          <UrlRuleFields
            rule={rule}
            onChange={(next) => onChange({ rules: rules.map((r, i) => (i === index ? next : r)) })}
          />
          <ActionIcon
            variant="subtle"
            color="red.9"
            aria-label="Remove rule"
            onClick={() => onChange({ rules: rules.filter((_, i) => i !== index) })}
          >
            ×
          </ActionIcon>
        </Group>
      ))}
      {rules && (
        <Button
          size="xs"
          variant="default"
          w="fit-content"
          onClick={() => onChange({ rules: [...rules, { op: 'contains', value: '' }] })}
        >
          Add rule
        </Button>
      )}
      <UrlTester pages={pages} />
    </Stack>
  );
}

/** `POST /api/experiences/check-url`: does this URL match the rules as they stand? */
function UrlTester({ pages }: { pages: ExperienceDraft['pages'] }) {
  const [url, setUrl] = useState('');
  const [answer, setAnswer] = useState<{ match?: boolean; error?: unknown }>({});
  const check = async () => {
    try {
      setAnswer(await api<{ match: boolean }>('POST', '/api/experiences/check-url', { pages, url }));
    } catch (error) {
      setAnswer({ error });
    }
  };
  return (
    <Group gap="xs" align="flex-end">
      <TextInput
        label="Test a URL"
        placeholder="https://www.example.com/pricing?plan=gold"
        w={360}
        value={url}
        onChange={(e) => setUrl(e.currentTarget.value)}
      />
      <Button size="sm" variant="default" disabled={!url} onClick={() => void check()}>
        Check URL
      </Button>
      {answer.match !== undefined && (
        <Text size="sm" fw={700} data-testid="url-check" c={answer.match ? 'green.9' : 'red.9'}>
          {answer.match ? 'Matches: shown on this page' : 'No match: not shown on this page'}
        </Text>
      )}
      <ErrorNote error={answer.error} />
    </Group>
  );
}
