/** Longest regex pattern a condition may hold. */
export const MAX_PATTERN_LENGTH = 200;
/** Most unbounded quantifiers (`*`, `+`, `{n,}`) in one pattern: each multiplies backtracking. */
const MAX_UNBOUNDED = 3;
/** Largest count of a `{n,m}` quantifier. */
const MAX_REPEAT = 100;

// JS's \s: ASCII white space, no-break space, the Unicode spaces, line and paragraph separators, BOM.
const SPACE_RANGES =
  '\\u0009-\\u000d\\u0020\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff';
const CLASS_ESCAPES: Record<string, string> = { d: '0-9', w: 'A-Za-z0-9_', s: SPACE_RANGES };
const CHARACTER_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', f: '\f', v: '\v' };
const SYNTAX = '^$\\.*+?()[]{}|/-';

/**
 * Regex patterns are ECMAScript (DESIGN §5), evaluated by JavaScript in memory and on SQLite, and
 * by PostgreSQL's `~` (POSIX ARE) there. strategy: accept only a subset on which both engines
 * agree on whether a text matches — literals, `.`, classes, `\d \w \s` and their negations,
 * anchors, groups, alternation, quantifiers — and translate it for PostgreSQL into explicit
 * classes (its `\w` and `.` differ from JavaScript's). Back-references, look-around and word
 * boundaries are refused. Against run-away backtracking, a repeated group may not contain
 * another quantifier or an alternation, and a pattern holds at most 3 unbounded quantifiers.
 * Returns why the pattern is refused, or null.
 */
export function regexProblem(pattern: string): string | null {
  if (pattern.length > MAX_PATTERN_LENGTH) return `a regex may be at most ${MAX_PATTERN_LENGTH} characters`;
  try {
    new RegExp(pattern, 'u');
  } catch (error) {
    return `not a valid regex: ${(error as Error).message}`;
  }
  const translated = translate(pattern);
  return typeof translated === 'string' ? null : translated.problem;
}

/** The PostgreSQL ARE equivalent of an accepted pattern (see regexProblem). */
export function postgresRegex(pattern: string): string {
  const translated = translate(pattern);
  if (typeof translated !== 'string') throw new Error(translated.problem);
  return translated;
}

/** Tests a text against an accepted pattern, as JavaScript does (code points: the `u` flag). */
export function regexMatches(pattern: string, text: string): boolean {
  let compiled = cache.get(pattern);
  if (!compiled) {
    compiled = new RegExp(pattern, 'u');
    if (cache.size > 500) cache.clear();
    cache.set(pattern, compiled);
  }
  return compiled.test(text);
}
const cache = new Map<string, RegExp>();

interface Group {
  hasQuantifier: boolean;
  hasAlternation: boolean;
}

function translate(pattern: string): string | { problem: string } {
  let out = '';
  const groups: Group[] = [{ hasQuantifier: false, hasAlternation: false }];
  let unbounded = 0;
  // What the last atom was, so a quantifier knows whether it applies to a group.
  let lastAtom: 'none' | 'simple' | Group = 'none';
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    const top = groups[groups.length - 1];
    if (c === '\\') {
      const escaped = escapeOutsideClass(chars[++i]);
      if (typeof escaped !== 'string') return escaped;
      out += escaped;
      lastAtom = 'simple';
    } else if (c === '[') {
      const end = classEnd(chars, i);
      const body = translateClass(chars.slice(i + 1, end));
      if (typeof body !== 'string') return body;
      out += body;
      i = end;
      lastAtom = 'simple';
    } else if (c === '(') {
      if (chars[i + 1] === '?') {
        if (chars[i + 2] !== ':')
          return { problem: 'look-around and named groups are not supported in regex' };
        i += 2;
      }
      groups.push({ hasQuantifier: false, hasAlternation: false });
      out += '(?:';
      lastAtom = 'none';
    } else if (c === ')') {
      const closed = groups.pop() as Group;
      const outer = groups[groups.length - 1];
      outer.hasQuantifier ||= closed.hasQuantifier;
      outer.hasAlternation ||= closed.hasAlternation;
      out += ')';
      lastAtom = closed;
    } else if (c === '|') {
      top.hasAlternation = true;
      out += '|';
      lastAtom = 'none';
    } else if (c === '*' || c === '+' || c === '?' || c === '{') {
      let quantifier = c;
      let isUnbounded = c !== '?';
      let repeats = c !== '?';
      if (c === '{') {
        const close = chars.indexOf('}', i);
        quantifier = chars.slice(i, close + 1).join('');
        const [, low, comma, high] = /^\{(\d+)(,?)(\d*)\}$/.exec(quantifier) ?? [];
        if (Number(low) > MAX_REPEAT || Number(high || 0) > MAX_REPEAT) {
          return { problem: `a regex repeat count may be at most ${MAX_REPEAT}` };
        }
        isUnbounded = comma === ',' && high === '';
        repeats = isUnbounded || Number(high || low) > 1;
        i = close;
      }
      if (chars[i + 1] === '?') {
        quantifier += '?';
        i++;
      }
      if (repeats && typeof lastAtom === 'object' && (lastAtom.hasQuantifier || lastAtom.hasAlternation)) {
        return {
          problem: 'a repeated group may not hold another repetition or an alternation (it could run away)',
        };
      }
      if (isUnbounded && ++unbounded > MAX_UNBOUNDED) {
        return { problem: `a regex may hold at most ${MAX_UNBOUNDED} unbounded repetitions (*, +, {n,})` };
      }
      top.hasQuantifier = true;
      out += quantifier;
      lastAtom = 'none';
    } else if (c === '.') {
      out += '[^\\u000a\\u000d\\u2028\\u2029]';
      lastAtom = 'simple';
    } else if (c === '^' || c === '$') {
      out += c;
      lastAtom = 'none';
    } else {
      out += codePoint(c);
      lastAtom = 'simple';
    }
  }
  return out;
}

function escapeOutsideClass(c: string): string | { problem: string } {
  const lower = c.toLowerCase();
  if (lower in CLASS_ESCAPES && (c === lower || c === c.toUpperCase())) {
    return c === lower ? `[${CLASS_ESCAPES[lower]}]` : `[^${CLASS_ESCAPES[lower]}]`;
  }
  return escapedCharacter(c);
}

/** A `\x` escape that stands for one character, as a PostgreSQL code point escape. */
function escapedCharacter(c: string): string | { problem: string } {
  if (c in CHARACTER_ESCAPES) return codePoint(CHARACTER_ESCAPES[c]);
  if (SYNTAX.includes(c)) return codePoint(c);
  return { problem: `the regex escape \\${c} is not supported (use a class such as [0-9])` };
}

function codePoint(c: string): string {
  const code = c.codePointAt(0) as number;
  return code > 0xffff
    ? `\\U${code.toString(16).padStart(8, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Index of the `]` closing the class opened at `start` (the `u` flag already checked it is closed). */
function classEnd(chars: string[], start: number): number {
  let i = start + 1;
  if (chars[i] === '^') i++;
  for (; i < chars.length; i++) {
    if (chars[i] === '\\') i++;
    else if (chars[i] === ']') return i;
  }
  return chars.length - 1;
}

function translateClass(body: string[]): string | { problem: string } {
  let out = '[';
  let i = 0;
  if (body[0] === '^') {
    out += '^';
    i = 1;
  }
  if (i === body.length) return { problem: 'an empty class [] or [^] is not supported in regex' };
  for (; i < body.length; i++) {
    const c = body[i];
    if (c === '\\') {
      const e = body[++i];
      if (e in CLASS_ESCAPES) {
        out += CLASS_ESCAPES[e];
        continue;
      }
      if (e.toLowerCase() in CLASS_ESCAPES)
        return { problem: `\\${e} inside a class is not supported in regex` };
      const escaped = escapedCharacter(e);
      if (typeof escaped !== 'string') return escaped;
      out += escaped;
    } else if (c === '-' && i > 0 && i < body.length - 1 && !(i === 1 && body[0] === '^')) {
      out += '-';
    } else if (c === '[') {
      return { problem: 'a [ inside a class must be escaped in regex' };
    } else {
      out += codePoint(c);
    }
  }
  return `${out}]`;
}
