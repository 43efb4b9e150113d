import safeRegex from 'safe-regex2';

/** Longest regex an owner may save (URL rules, goals). */
export const MAX_PATTERN_LENGTH = 500;
/** Longest text a saved regex is run against; a URL past it is cut, bounding every match's work. */
export const MAX_SUBJECT_LENGTH = 2048;

export type SafePattern = { ok: true; regex: RegExp } | { ok: false; message: string };

/**
 * Compiles an owner's ECMAScript regex, refusing one that could run away.
 *
 * strategy: refuse what is too long, what does not compile, and what `safe-regex2` finds has a
 * star height above one (nested quantifiers such as `(a+)+`, the classic catastrophic
 * backtracking) or backreferences. At run time the subject is cut to MAX_SUBJECT_LENGTH, so even a
 * pattern that slips through works on a bounded input.
 */
export function compileSafePattern(pattern: string): SafePattern {
  if (pattern.length === 0) return { ok: false, message: 'the regex is empty' };
  if (pattern.length > MAX_PATTERN_LENGTH) {
    return { ok: false, message: `the regex is longer than ${MAX_PATTERN_LENGTH} characters` };
  }
  let regex: RegExp;
  try {
    regex = new RegExp(pattern);
  } catch (error) {
    return { ok: false, message: `not a valid regex: ${(error as Error).message}` };
  }
  if (/\\[1-9]|\\k</.test(pattern) || !safeRegex(pattern)) {
    return {
      ok: false,
      message:
        'the regex could run away (nested quantifiers such as (a+)+ or backreferences); write it without repeating a repeated group',
    };
  }
  return { ok: true, regex };
}

/** Runs a pattern already checked by compileSafePattern against a bounded subject. */
export function testSafePattern(regex: RegExp, subject: string): boolean {
  return regex.test(subject.length > MAX_SUBJECT_LENGTH ? subject.slice(0, MAX_SUBJECT_LENGTH) : subject);
}
