import type { PageRules, UrlRule } from './experience.js';
import { compileSafePattern, testSafePattern } from './safe-pattern.js';

/** Regexes compiled once per distinct pattern (saved rules are checked when saved). */
const compiled = new Map<string, RegExp | null>();

function regexOf(pattern: string): RegExp | null {
  let regex = compiled.get(pattern);
  if (regex === undefined) {
    const result = compileSafePattern(pattern);
    regex = result.ok ? result.regex : null;
    if (compiled.size > 10_000) compiled.clear();
    compiled.set(pattern, regex);
  }
  return regex;
}

/**
 * Whether a page URL matches one rule.
 *
 * strategy: a value holding `://` is compared with the whole URL, any other value with the URL's
 * path (so `/pricing` works on every host the site runs on). The `?query` is part of the
 * compared text unless `ignore_query`; the `#hash` never is. `regex` runs on the same text.
 */
export function matchesUrlRule(rule: UrlRule, url: string): boolean {
  const subject = comparedText(url, rule.value.includes('://'), rule.ignore_query === true);
  if (subject === null) return false;
  switch (rule.op) {
    case 'equals':
      return subject === rule.value;
    case 'contains':
      return subject.includes(rule.value);
    case 'starts_with':
      return subject.startsWith(rule.value);
    case 'regex': {
      const regex = regexOf(rule.value);
      return regex !== null && testSafePattern(regex, subject);
    }
  }
}

/** Whether an experience's page rules let it show on `url`: all pages, or any rule matching. */
export function matchesPages(pages: PageRules, url: string): boolean {
  if ('match' in pages) return true;
  return pages.rules.some((rule) => matchesUrlRule(rule, url));
}

function comparedText(url: string, whole: boolean, ignoreQuery: boolean): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  const query = ignoreQuery ? '' : parsed.search;
  return whole ? `${parsed.origin}${parsed.pathname}${query}` : `${parsed.pathname}${query}`;
}
