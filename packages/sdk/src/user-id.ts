const ILLEGAL_IDS = new Set(
  'anonymous,guest,undefined,null,none,nil,nan,0,-1,true,false,[object object],id,user_id,userid,distinct_id,distinctid,not_authenticated,email,unknown'.split(
    ',',
  ),
);

/**
 * The id rule of DESIGN §3 rule 1, the same one the server applies: after trimming whitespace and
 * surrounding quotes and lower-casing, an id is illegal when it is empty, longer than 255
 * characters, a placeholder such as `undefined` or `[object Object]`, or only `0` and `-`.
 */
export function isLegalId(id: string): boolean {
  const normalized = id
    .trim()
    .replace(/^["']+|["']+$/g, '')
    .trim()
    .toLowerCase();
  return (
    normalized !== '' &&
    normalized.length <= 255 &&
    !ILLEGAL_IDS.has(normalized) &&
    !/^[0-]+$/.test(normalized)
  );
}

/**
 * What an identify call's first argument means: `null` for "no user id given" (an attributes
 * object, `''`, `null` or `undefined`), the id as a string (finite numbers are accepted and
 * converted), or `false` when it cannot be a user id (other types, illegal ids).
 */
export function readUserIdArgument(value: unknown): string | null | false {
  if (value === '' || value === null || value === undefined) return null;
  if (typeof value === 'number' && Number.isFinite(value)) value = String(value);
  return typeof value === 'string' && isLegalId(value) ? value : false;
}
