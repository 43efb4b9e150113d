import {
  ActionIcon,
  Button,
  Group,
  NumberInput,
  Paper,
  Stack,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { ContentPreview } from './content-preview';
import { type ExperienceType, emptyContent, type Variant } from './experience-types';

interface VariantsEditorProps {
  type: ExperienceType;
  variants: Variant[];
  controlWeight: number;
  onChange(variants: Variant[], controlWeight: number): void;
}

/** The variants with their weights and content, and the control's share (visitors who see nothing). */
export function VariantsEditor({ type, variants, controlWeight, onChange }: VariantsEditorProps) {
  const sum = variants.reduce((total, v) => total + (Number(v.weight) || 0), 0);
  const set = (index: number, next: Variant) =>
    onChange(
      variants.map((v, i) => (i === index ? next : v)),
      controlWeight,
    );
  return (
    <Stack gap="xs">
      <NumberInput
        label="Control (percent of targeted visitors who see nothing)"
        min={0}
        max={100}
        w={360}
        value={controlWeight}
        onChange={(v) => onChange(variants, Number(v) || 0)}
      />
      {variants.map((variant, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a variant is its position while it is edited
        <Paper key={index} withBorder p="xs">
          <Stack gap="xs">
            <Group gap="xs" align="flex-end">
              <TextInput
                label="Variant name"
                w={160}
                value={variant.name}
                onChange={(e) => set(index, { ...variant, name: e.currentTarget.value })}
              />
              <NumberInput
                label="Weight (%)"
                min={0}
                max={100}
                w={120}
                value={variant.weight}
                onChange={(v) => set(index, { ...variant, weight: Number(v) || 0 })}
              />
              {variants.length > 1 && (
                <ActionIcon
                  variant="subtle"
                  color="red.9"
                  aria-label={`Remove variant ${variant.name}`}
                  onClick={() =>
                    onChange(
                      variants.filter((_, i) => i !== index),
                      controlWeight,
                    )
                  }
                >
                  ×
                </ActionIcon>
              )}
            </Group>
            <ContentFields type={type} variant={variant} onChange={(next) => set(index, next)} />
          </Stack>
        </Paper>
      ))}
      <Group>
        <Button
          size="xs"
          variant="default"
          onClick={() =>
            onChange(
              [
                ...variants,
                { name: String.fromCharCode(65 + variants.length), weight: 0, content: emptyContent(type) },
              ],
              controlWeight,
            )
          }
        >
          Add variant
        </Button>
        <Text size="sm" c={sum === 100 ? 'dimmed' : 'red.9'}>
          Variant weights add up to {sum}% of the visitors outside the control (they must add up to 100).
        </Text>
      </Group>
    </Stack>
  );
}

/** HTML with a safe preview, page edits (selector + text), or a redirect URL, by type. */
function ContentFields({
  type,
  variant,
  onChange,
}: {
  type: ExperienceType;
  variant: Variant;
  onChange(v: Variant): void;
}) {
  if (type === 'redirect') {
    return (
      <TextInput
        label="Redirect to"
        placeholder="https://www.example.com/gold"
        value={variant.content.redirect_url ?? ''}
        onChange={(e) => onChange({ ...variant, content: { redirect_url: e.currentTarget.value } })}
      />
    );
  }
  if (type === 'page_edit') {
    const edits = variant.content.edits ?? [];
    const setEdit = (index: number, edit: (typeof edits)[number]) =>
      onChange({ ...variant, content: { edits: edits.map((e, i) => (i === index ? edit : e)) } });
    return (
      <Stack gap={4}>
        {edits.map((edit, index) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: an edit is its position in the list
          <Group key={index} gap="xs">
            <TextInput
              aria-label="CSS selector"
              placeholder="#hero h1"
              w={200}
              value={edit.selector}
              onChange={(e) => setEdit(index, { ...edit, selector: e.currentTarget.value })}
            />
            <TextInput
              aria-label="New text"
              placeholder="Welcome back, {{first_name}}"
              w={300}
              value={edit.text ?? ''}
              onChange={(e) => setEdit(index, { selector: edit.selector, text: e.currentTarget.value })}
            />
          </Group>
        ))}
        <Button
          size="xs"
          variant="default"
          w="fit-content"
          onClick={() => onChange({ ...variant, content: { edits: [...edits, { selector: '', text: '' }] } })}
        >
          Add edit
        </Button>
      </Stack>
    );
  }
  const html = variant.content.html ?? '';
  return (
    <Stack gap={4}>
      <Textarea
        label="HTML"
        description="{{attribute}} placeholders are filled for each visitor, HTML-escaped."
        autosize
        minRows={2}
        value={html}
        onChange={(e) => onChange({ ...variant, content: { html: e.currentTarget.value } })}
      />
      {html && <ContentPreview html={html} title={`Preview of variant ${variant.name}`} />}
    </Stack>
  );
}
