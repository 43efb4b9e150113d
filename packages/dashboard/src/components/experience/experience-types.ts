import type { Condition } from '../condition-builder/condition-model';

export type ExperienceType = 'banner' | 'popup' | 'bar' | 'page_edit' | 'redirect';

export interface UrlRule {
  op: 'equals' | 'contains' | 'starts_with' | 'regex';
  value: string;
  ignore_query?: boolean;
}

export interface Variant {
  name: string;
  weight: number;
  content: {
    html?: string;
    edits?: { selector: string; text?: string; html?: string; attr?: string; value?: string }[];
    redirect_url?: string;
  };
}

export type Target = { everyone: true } | { groups: string[] } | { condition: Condition };

/** An experience as the API takes and answers it (DESIGN §4 "Personalisation"). */
export interface ExperienceDraft {
  name: string;
  type: ExperienceType;
  pages: { match: 'all' } | { rules: UrlRule[] };
  target: Target;
  variants: Variant[];
  control_weight: number;
  goal: { event: string } | { url_rule: UrlRule } | null;
  frequency: 'every_page' | 'once_per_session' | 'once_per_user';
  priority: number;
  starts_at: string | null;
  ends_at: string | null;
}

export interface Experience extends ExperienceDraft {
  id: string;
  status: 'draft' | 'published' | 'paused';
  updated_at: string;
}

export const EXPERIENCE_TYPES: { value: ExperienceType; label: string }[] = [
  { value: 'banner', label: 'Banner' },
  { value: 'popup', label: 'Popup' },
  { value: 'bar', label: 'Bar' },
  { value: 'page_edit', label: 'Page edit' },
  { value: 'redirect', label: 'Redirect' },
];

/** The content a variant of this type starts with. */
export function emptyContent(type: ExperienceType): Variant['content'] {
  if (type === 'page_edit') return { edits: [{ selector: '', text: '' }] };
  if (type === 'redirect') return { redirect_url: '' };
  return { html: '' };
}

export function newDraft(): ExperienceDraft {
  return {
    name: '',
    type: 'banner',
    pages: { match: 'all' },
    target: { everyone: true },
    variants: [{ name: 'A', weight: 100, content: { html: '' } }],
    control_weight: 0,
    goal: null,
    frequency: 'every_page',
    priority: 0,
    starts_at: null,
    ends_at: null,
  };
}

/** The fields the API takes back from an experience it answered. */
export function draftOf(e: Experience): ExperienceDraft {
  const {
    name,
    type,
    pages,
    target,
    variants,
    control_weight,
    goal,
    frequency,
    priority,
    starts_at,
    ends_at,
  } = e;
  return {
    name,
    type,
    pages: pages ?? { match: 'all' },
    target: target ?? { everyone: true },
    variants,
    control_weight: control_weight ?? 0,
    goal: goal ?? null,
    frequency: frequency ?? 'every_page',
    priority: priority ?? 0,
    starts_at: starts_at ?? null,
    ends_at: ends_at ?? null,
  };
}
