import {
  CONTROL,
  EXPERIENCE_TYPES,
  type ExperienceSettings,
  type ExperienceType,
  FREQUENCIES,
  type Goal,
  type PageEdit,
  type PageRules,
  type Target,
  URL_RULE_OPS,
  type UrlRule,
  type Variant,
  type VariantContent,
} from './experience.js';
import {
  findScriptInAttribute,
  findScriptInHtml,
  isAttributeName,
  selectorProblem,
} from './experience-html.js';
import { compileSafePattern } from './safe-pattern.js';

/** Why an experience was refused, with the JSON pointer of the bad part of the body. */
export interface ExperienceProblem {
  code:
    | 'INVALID_EXPERIENCE'
    | 'UNSAFE_REGEX'
    | 'INVALID_SELECTOR'
    | 'WEIGHTS_DO_NOT_ADD_UP'
    | 'SCRIPTS_NOT_ALLOWED';
  pointer: string;
  message: string;
}

export type ParsedExperience =
  | { ok: true; settings: ExperienceSettings; groupIds: string[] }
  | ({ ok: false } & ExperienceProblem);

const MAX_VARIANTS = 20;
const MAX_EDITS = 50;
const MAX_RULES = 50;
const MAX_HTML = 64 * 1024;

/** A refusal inside the parser; turned into the `{ok: false}` result at its edge. */
class Refusal extends Error {
  constructor(readonly problem: ExperienceProblem) {
    super(problem.message);
  }
}

const refuse = (pointer: string, message: string, code: ExperienceProblem['code'] = 'INVALID_EXPERIENCE') => {
  throw new Refusal({ code, pointer, message });
};

/**
 * Checks an experience as the owner sends it (a whole one, or a stored one with a PATCH laid over
 * it) and returns its settings with defaults filled, or the first problem with its pointer.
 *
 * strategy: read each field in body order; every check names its pointer. Content must fit the
 * type (html for banner/popup/bar, edits for page_edit, redirect_url for redirect); selectors and
 * regexes are compiled now, so decide never meets a bad one; HTML that would run script is refused
 * unless the project allows scripts. Group ids are returned for the caller to check in storage.
 */
export function parseExperience(input: unknown, options: { allowScripts: boolean }): ParsedExperience {
  try {
    return { ok: true, ...read(object(input, ''), options) };
  } catch (error) {
    if (error instanceof Refusal) return { ok: false, ...error.problem };
    throw error;
  }
}

function read(body: Record<string, unknown>, options: { allowScripts: boolean }) {
  const name = text(body.name, '/name', 200);
  const type = oneOf(body.type, '/type', EXPERIENCE_TYPES);
  const pages = readPages(body.pages ?? { match: 'all' });
  const target = readTarget(body.target ?? { everyone: true });
  const controlWeight =
    body.control_weight === undefined ? 0 : percent(body.control_weight, '/control_weight');
  const variants = readVariants(body.variants, type, controlWeight, options);
  const goal = body.goal === undefined || body.goal === null ? null : readGoal(body.goal);
  const frequency =
    body.frequency === undefined ? 'every_page' : oneOf(body.frequency, '/frequency', FREQUENCIES);
  const priority = body.priority === undefined ? 0 : integer(body.priority, '/priority');
  const startsAt = time(body.starts_at, '/starts_at');
  const endsAt = time(body.ends_at, '/ends_at');
  if (startsAt !== null && endsAt !== null && endsAt <= startsAt)
    refuse('/ends_at', 'ends_at must be after starts_at');
  const settings: ExperienceSettings = {
    name,
    type,
    pages,
    target: target.target,
    variants,
    control_weight: controlWeight,
    goal,
    frequency,
    priority,
    starts_at: startsAt,
    ends_at: endsAt,
  };
  return { settings, groupIds: target.groupIds };
}

function readPages(value: unknown): PageRules {
  const pages = object(value, '/pages');
  if (pages.match !== undefined) {
    if (pages.match !== 'all') refuse('/pages/match', '"match" can only be "all"; use "rules" to pick pages');
    return { match: 'all' };
  }
  if (!Array.isArray(pages.rules) || pages.rules.length === 0 || pages.rules.length > MAX_RULES) {
    refuse('/pages', `pages is {"match": "all"} or {"rules": [...]} with 1 to ${MAX_RULES} URL rules`);
  }
  return { rules: (pages.rules as unknown[]).map((rule, i) => readUrlRule(rule, `/pages/rules/${i}`)) };
}

function readUrlRule(value: unknown, pointer: string): UrlRule {
  const rule = object(value, pointer);
  const op = oneOf(rule.op, `${pointer}/op`, URL_RULE_OPS);
  const ruleValue = text(rule.value, `${pointer}/value`, 2048);
  if (op === 'regex') {
    const compiled = compileSafePattern(ruleValue);
    if (!compiled.ok) refuse(`${pointer}/value`, compiled.message, 'UNSAFE_REGEX');
  }
  if (rule.ignore_query !== undefined && typeof rule.ignore_query !== 'boolean') {
    refuse(`${pointer}/ignore_query`, 'ignore_query must be true or false');
  }
  return { op, value: ruleValue, ...(rule.ignore_query === true ? { ignore_query: true } : {}) };
}

function readTarget(value: unknown): { target: Target; groupIds: string[] } {
  const target = object(value, '/target');
  const keys = Object.keys(target);
  if (keys.length !== 1)
    refuse('/target', 'target is one of {"everyone": true}, {"groups": [...]}, {"condition": {...}}');
  if (target.everyone !== undefined) {
    if (target.everyone !== true) refuse('/target/everyone', '"everyone" can only be true');
    return { target: { everyone: true }, groupIds: [] };
  }
  if (target.groups !== undefined) {
    if (!Array.isArray(target.groups) || target.groups.length === 0 || target.groups.length > 100) {
      refuse(
        '/target/groups',
        'groups is a list of 1 to 100 group ids (a visitor in any of them is targeted)',
      );
    }
    const groups = (target.groups as unknown[]).map((id, i) => text(id, `/target/groups/${i}`, 200));
    return { target: { groups: [...new Set(groups)] }, groupIds: [...new Set(groups)] };
  }
  if (target.condition !== undefined)
    return { target: { condition: object(target.condition, '/target/condition') }, groupIds: [] };
  return refuse('/target', 'target is one of {"everyone": true}, {"groups": [...]}, {"condition": {...}}');
}

function readVariants(
  value: unknown,
  type: ExperienceType,
  controlWeight: number,
  options: { allowScripts: boolean },
): Variant[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_VARIANTS) {
    refuse('/variants', `variants is a list of 1 to ${MAX_VARIANTS} variants`);
  }
  const names = new Set<string>();
  const variants = (value as unknown[]).map((item, i): Variant => {
    const pointer = `/variants/${i}`;
    const variant = object(item, pointer);
    const name = text(variant.name, `${pointer}/name`, 100);
    if (name === CONTROL) refuse(`${pointer}/name`, '"control" is reserved for the visitors who see nothing');
    if (names.has(name)) refuse(`${pointer}/name`, `two variants are named "${name}"; names are unique`);
    names.add(name);
    const weight = percent(variant.weight, `${pointer}/weight`);
    return { name, weight, content: readContent(variant.content, type, `${pointer}/content`, options) };
  });
  const sum = variants.reduce((total, variant) => total + variant.weight, 0);
  if (Math.abs(sum - 100) > 1e-9) {
    refuse(
      '/variants',
      `the variants' weights add up to ${sum}; they are percents of the visitors outside the control (control_weight ${controlWeight}) and must add up to 100`,
      'WEIGHTS_DO_NOT_ADD_UP',
    );
  }
  return variants;
}

function readContent(
  value: unknown,
  type: ExperienceType,
  pointer: string,
  options: { allowScripts: boolean },
): VariantContent {
  const content = object(value, pointer);
  if (type === 'redirect') {
    const url = text(content.redirect_url, `${pointer}/redirect_url`, 2048);
    if (!/^(https?:\/\/|\/)/i.test(url)) {
      refuse(`${pointer}/redirect_url`, 'redirect_url is an http(s) URL or a path starting with /');
    }
    return { redirect_url: url };
  }
  if (type === 'page_edit') {
    if (!Array.isArray(content.edits) || content.edits.length === 0 || content.edits.length > MAX_EDITS) {
      refuse(`${pointer}/edits`, `a page edit has 1 to ${MAX_EDITS} edits`);
    }
    return {
      edits: (content.edits as unknown[]).map((edit, i) => readEdit(edit, `${pointer}/edits/${i}`, options)),
    };
  }
  const html = text(content.html, `${pointer}/html`, MAX_HTML);
  checkScripts(findScriptInHtml(html), `${pointer}/html`, options);
  return { html };
}

function readEdit(value: unknown, pointer: string, options: { allowScripts: boolean }): PageEdit {
  const edit = object(value, pointer);
  const selector = text(edit.selector, `${pointer}/selector`, 1000);
  const problem = selectorProblem(selector);
  if (problem) refuse(`${pointer}/selector`, problem, 'INVALID_SELECTOR');
  const kinds = ['text', 'html', 'attr'].filter((key) => edit[key] !== undefined);
  if (kinds.length !== 1)
    refuse(pointer, 'an edit sets exactly one of "text", "html" or "attr" (with "value")');
  if (edit.text !== undefined) return { selector, text: text(edit.text, `${pointer}/text`, MAX_HTML, true) };
  if (edit.html !== undefined) {
    const html = text(edit.html, `${pointer}/html`, MAX_HTML, true);
    checkScripts(findScriptInHtml(html), `${pointer}/html`, options);
    return { selector, html };
  }
  const attr = text(edit.attr, `${pointer}/attr`, 100);
  if (!isAttributeName(attr)) refuse(`${pointer}/attr`, `"${attr}" is not an HTML attribute name`);
  const attrValue = text(edit.value, `${pointer}/value`, 4096, true);
  checkScripts(findScriptInAttribute(attr, attrValue), `${pointer}/value`, options);
  return { selector, attr, value: attrValue };
}

function readGoal(value: unknown): Goal {
  const goal = object(value, '/goal');
  if (goal.event !== undefined) return { event: text(goal.event, '/goal/event', 200) };
  if (goal.url_rule !== undefined) return { url_rule: readUrlRule(goal.url_rule, '/goal/url_rule') };
  return refuse('/goal', 'goal is {"event": "<event name>"} or {"url_rule": {"op", "value"}}');
}

function checkScripts(found: string | null, pointer: string, options: { allowScripts: boolean }): void {
  if (found && !options.allowScripts) {
    refuse(
      pointer,
      `the content holds ${found}; this project does not allow scripts in experiences (allow_scripts in project settings)`,
      'SCRIPTS_NOT_ALLOWED',
    );
  }
}

function object(value: unknown, pointer: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    refuse(pointer || '/', 'must be a JSON object');
  return value as Record<string, unknown>;
}

function text(value: unknown, pointer: string, max: number, allowEmpty = false): string {
  if (typeof value !== 'string' || (!allowEmpty && value.trim() === ''))
    refuse(pointer, 'must be a non-empty string');
  if ((value as string).length > max) refuse(pointer, `is longer than ${max} characters`);
  return value as string;
}

function oneOf<T extends string>(value: unknown, pointer: string, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) refuse(pointer, `must be one of ${allowed.join(', ')}`);
  return value as T;
}

function percent(value: unknown, pointer: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 100) {
    refuse(pointer, 'must be a number from 0 to 100', 'WEIGHTS_DO_NOT_ADD_UP');
  }
  return value as number;
}

function integer(value: unknown, pointer: string): number {
  if (!Number.isInteger(value) || Math.abs(value as number) > 1_000_000)
    refuse(pointer, 'must be an integer');
  return value as number;
}

function time(value: unknown, pointer: string): number | null {
  if (value === undefined || value === null) return null;
  const parsed = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(parsed)) refuse(pointer, 'must be an ISO-8601 time');
  return parsed;
}

/** Checks page rules alone (`check-url`), with pointers under `/pages`. */
export function parsePageRules(
  input: unknown,
): { ok: true; pages: PageRules } | ({ ok: false } & ExperienceProblem) {
  try {
    return { ok: true, pages: readPages(input) };
  } catch (error) {
    if (error instanceof Refusal) return { ok: false, ...error.problem };
    throw error;
  }
}
