import type { VariantContent } from './experience.js';

const PLACEHOLDER = /\{\{\s*([^{}\s]{1,128})\s*\}\}/g;

/** Names found per content object (stored contents are kept in memory and never changed). */
const namesOf = new WeakMap<VariantContent, readonly string[]>();

/** The attribute names `{{name}}` placeholders of this content use. */
export function placeholderNames(content: VariantContent): readonly string[] {
  let found = namesOf.get(content);
  if (!found) {
    const names = new Set<string>();
    for (const text of textsOf(content)) for (const match of text.matchAll(PLACEHOLDER)) names.add(match[1]);
    found = [...names];
    namesOf.set(content, found);
  }
  return found;
}

/** Attribute values as placeholders show them; a name missing here fills as empty. */
export type PlaceholderValues = ReadonlyMap<string, unknown>;

/**
 * Fills `{{name}}` placeholders with the person's attribute values.
 *
 * strategy: HTML (banner html, html edits, attribute values) gets the value HTML-escaped, so a
 * value such as `<img src=x onerror=...>` stays text; a text edit gets it as it is (the SDK sets
 * it as text, never as HTML); a redirect URL gets it percent-encoded. Lists join with ", ".
 */
export function fillPlaceholders(content: VariantContent, values: PlaceholderValues): VariantContent {
  const fill = (text: string, encode: (value: string) => string) =>
    text.replace(PLACEHOLDER, (_whole, name: string) => encode(display(values.get(name))));
  if ('html' in content) return { html: fill(content.html, escapeHtml) };
  if ('redirect_url' in content) return { redirect_url: fill(content.redirect_url, encodeURIComponent) };
  return {
    edits: content.edits.map((edit) => {
      if ('text' in edit) return { ...edit, text: fill(edit.text, (value) => value) };
      if ('html' in edit) return { ...edit, html: fill(edit.html, escapeHtml) };
      return { ...edit, value: fill(edit.value, escapeHtml) };
    }),
  };
}

function textsOf(content: VariantContent): string[] {
  if ('html' in content) return [content.html];
  if ('redirect_url' in content) return [content.redirect_url];
  return content.edits.map((edit) => ('text' in edit ? edit.text : 'html' in edit ? edit.html : edit.value));
}

function display(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map(display).join(', ');
  if (typeof value === 'object') return '';
  return String(value);
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}
