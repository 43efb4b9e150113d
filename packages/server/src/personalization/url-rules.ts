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
 * A page URL as rules compare it, parsed once: `whole` (origin, path, query) and `path` (path,
 * query), each also without the query; null when it does not parse.
 */
export interface PageUrl {
  readonly texts: { whole: string; path: string; wholeNoQuery: string; pathNoQuery: string } | null;
}

export function pageUrl(url: string): PageUrl {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { texts: null };
  }
  const whole = `${parsed.origin}${parsed.pathname}`;
  return {
    texts: {
      whole: `${whole}${parsed.search}`,
      path: `${parsed.pathname}${parsed.search}`,
      wholeNoQuery: whole,
      pathNoQuery: parsed.pathname,
    },
  };
}

/**
 * Whether a page URL matches one rule.
 *
 * strategy: a value holding `://` is compared with the whole URL, any other value with the URL's
 * path (so `/pricing` works on every host the site runs on). The `?query` is part of the
 * compared text unless `ignore_query`; the `#hash` never is. `regex` runs on the same text.
 */
export function matchesUrlRule(rule: UrlRule, url: string | PageUrl): boolean {
  const texts = (typeof url === 'string' ? pageUrl(url) : url).texts;
  if (texts === null) return false;
  const whole = rule.value.includes('://');
  const subject =
    rule.ignore_query === true
      ? whole
        ? texts.wholeNoQuery
        : texts.pathNoQuery
      : whole
        ? texts.whole
        : texts.path;
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
export function matchesPages(pages: PageRules, url: string | PageUrl): boolean {
  if ('match' in pages) return true;
  const page = typeof url === 'string' ? pageUrl(url) : url;
  return pages.rules.some((rule) => matchesUrlRule(rule, page));
}
