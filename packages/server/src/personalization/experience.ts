/** The shapes of a personalised experience (DESIGN §4 "Personalisation"), as stored and answered. */

export const EXPERIENCE_TYPES = ['banner', 'popup', 'bar', 'page_edit', 'redirect'] as const;
export type ExperienceType = (typeof EXPERIENCE_TYPES)[number];

export const EXPERIENCE_STATUSES = ['draft', 'published', 'paused'] as const;
export type ExperienceStatus = (typeof EXPERIENCE_STATUSES)[number];

export const FREQUENCIES = ['every_page', 'once_per_session', 'once_per_user'] as const;
export type Frequency = (typeof FREQUENCIES)[number];

export const URL_RULE_OPS = ['equals', 'contains', 'starts_with', 'regex'] as const;
export type UrlRuleOp = (typeof URL_RULE_OPS)[number];

/** One URL rule; `ignore_query` compares the URL without its `?query` (and `#hash`). */
export interface UrlRule {
  op: UrlRuleOp;
  value: string;
  ignore_query?: boolean;
}

/** Where an experience shows: on every page, or where any rule matches. */
export type PageRules = { match: 'all' } | { rules: UrlRule[] };

/**
 * Who sees it: everyone, the members of any of the groups, or the persons an inline condition
 * (DESIGN §5) matches.
 */
export type Target = { everyone: true } | { groups: string[] } | { condition: unknown };

/** A conversion: an event by name, or a page view whose URL matches a rule. */
export type Goal = { event: string } | { url_rule: UrlRule };

/** One change a page edit makes to the elements `selector` picks. */
export type PageEdit =
  | { selector: string; text: string }
  | { selector: string; html: string }
  | { selector: string; attr: string; value: string };

export type VariantContent = { html: string } | { edits: PageEdit[] } | { redirect_url: string };

export interface Variant {
  name: string;
  /** Share of the targeted visitors outside the control, in percent; the weights add up to 100. */
  weight: number;
  content: VariantContent;
}

/** The name of the variant that sees nothing; reserved. */
export const CONTROL = 'control';

/** What the owner sets: everything of an experience but its id, status and times. */
export interface ExperienceSettings {
  name: string;
  type: ExperienceType;
  pages: PageRules;
  target: Target;
  variants: Variant[];
  /** Percent of targeted visitors who see nothing (the control); default 0. */
  control_weight: number;
  goal: Goal | null;
  frequency: Frequency;
  /** Higher first; default 0. */
  priority: number;
  starts_at: number | null;
  ends_at: number | null;
}

export interface Experience extends ExperienceSettings {
  id: string;
  projectId: string;
  status: ExperienceStatus;
  createdAt: number;
  updatedAt: number;
  publishedAt: number | null;
}

/** The JSON an API answer shows of an experience. */
export function experienceView(experience: Experience) {
  const iso = (time: number | null) => (time === null ? null : new Date(time).toISOString());
  return {
    id: experience.id,
    name: experience.name,
    type: experience.type,
    status: experience.status,
    pages: experience.pages,
    target: experience.target,
    variants: experience.variants,
    control_weight: experience.control_weight,
    goal: experience.goal,
    frequency: experience.frequency,
    priority: experience.priority,
    starts_at: iso(experience.starts_at),
    ends_at: iso(experience.ends_at),
    created_at: iso(experience.createdAt),
    updated_at: iso(experience.updatedAt),
    published_at: iso(experience.publishedAt),
  };
}
