import { parse as parseSelector } from 'css-what';

/**
 * What in experience HTML would run script: `<script>` elements, inline event handlers
 * (`onerror=`, `onclick=`...), `javascript:` URLs, and elements that carry or load documents of
 * their own (`<iframe>`, `<object>`, `<embed>`, `srcdoc`). Returns what was found, or null.
 *
 * strategy: the browser parses far more loosely than any pattern, so these patterns over-refuse
 * on purpose (an `on…=` inside a tag anywhere, any case, any separator). Owners who need scripts
 * turn on the project's `allow_scripts`.
 */
export function findScriptInHtml(html: string): string | null {
  if (/<\s*script\b/i.test(html)) return 'a <script> element';
  if (/<[^>]*[\s/"'`]on[a-z]+\s*=/i.test(html)) return 'an inline event handler (on...=)';
  if (/javascript\s*:/i.test(html)) return 'a javascript: URL';
  if (/<\s*(iframe|object|embed|frame|base)\b|srcdoc\s*=/i.test(html)) {
    return 'an element that loads its own document (iframe, object, embed, frame, base, srcdoc)';
  }
  return null;
}

/** Whether an attribute edit could make the page run script (`onclick`, a `javascript:` href). */
export function findScriptInAttribute(attr: string, value: string): string | null {
  if (/^on/i.test(attr)) return `the event handler attribute "${attr}"`;
  // Browsers skip control characters and spaces inside a URL's scheme ("java\tscript:").
  const compact = [...value].filter((c) => c.charCodeAt(0) > 32).join('');
  if (/^javascript:/i.test(compact)) return 'a javascript: URL';
  if (/^srcdoc$/i.test(attr)) return 'the srcdoc attribute';
  return null;
}

/** Longest selector accepted. */
const MAX_SELECTOR_LENGTH = 1000;

/** Whether `selector` is valid CSS selector syntax; the problem found, or null when it is. */
export function selectorProblem(selector: string): string | null {
  if (selector.trim() === '') return 'the selector is empty';
  if (selector.length > MAX_SELECTOR_LENGTH) {
    return `the selector is longer than ${MAX_SELECTOR_LENGTH} characters`;
  }
  try {
    parseSelector(selector);
    return null;
  } catch (error) {
    return `"${selector}" is not a valid CSS selector: ${(error as Error).message}`;
  }
}

/** Attribute names the edits may set: plain HTML attribute names. */
export function isAttributeName(name: string): boolean {
  return /^[a-zA-Z_:][-a-zA-Z0-9_:.]{0,99}$/.test(name);
}
